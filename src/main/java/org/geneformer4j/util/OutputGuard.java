package org.geneformer4j.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The one rule every command's output goes through before any work: an existing output is only replaced with
 * --overwrite, and then only if it is something this program wrote (a {@link Kind} recognises it by its marker) and
 * not a place whose loss is never intended: a filesystem root, the home directory, the working directory or a
 * parent of it, or an input of the same command (or a directory holding one). See docs/decisions/0007.
 */
public final class OutputGuard {
    private OutputGuard() {}

    /** What a command writes, so that an existing output can be recognised as one of ours. */
    public record Kind(String description, Predicate<Path> recognises) {
        /** A tokenized dataset: a directory with {@code state.json} or {@code dataset_info.json}. */
        public static Kind dataset() {
            return directoryWith("tokenized dataset (state.json or dataset_info.json)", "state.json", "dataset_info.json");
        }

        /** A run directory: one that holds any of {@code markers} (names, or globs such as {@code checkpoint-*}), or an empty one. */
        public static Kind directoryWith(String description, String... markers) {
            return new Kind(description, p -> Files.isDirectory(p) && (isEmpty(p)
                    || Arrays.stream(markers).anyMatch(m -> holds(p, m))));
        }

        /**
         * A file of {@code format} (its extension, such as csv or h5ad): binary formats are told by their magic
         * bytes, text formats by holding text.
         */
        public static Kind file(String format) {
            String f = format.toLowerCase(Locale.ROOT);
            byte[] magic = switch (f) {
                case "h5ad", "h5", "hdf5" -> new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
                case "npy" -> new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
                case "png" -> new byte[] {(byte) 0x89, 'P', 'N', 'G'};
                case "arrow", "feather" -> "ARROW1".getBytes(StandardCharsets.US_ASCII);
                case "parquet" -> "PAR1".getBytes(StandardCharsets.US_ASCII);
                default -> null;
            };
            Predicate<Path> content = f.equals("safetensors") ? OutputGuard::isSafetensors
                    : magic == null ? OutputGuard::isText : p -> startsWith(p, magic);
            return new Kind("." + f + " file", p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && content.test(p));
        }
    }

    /**
     * Fails with one line unless {@code output} may be written: it does not exist, or {@code overwrite} is set and
     * it is a replaceable {@code kind}.
     *
     * @param inputs every file or directory the command reads (null entries and names that are not paths are fine)
     */
    public static void check(Path output, boolean overwrite, Kind kind, Collection<Path> inputs) {
        if (!Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!overwrite) {
            throw new UserException(output + " already exists (pass --overwrite to replace it)");
        }
        String why = forbidden(output, kind, inputs);
        if (why != null) {
            throw new UserException("refusing to overwrite " + output + ": " + why);
        }
    }

    /** Why {@code output} must not be replaced, or null. */
    private static String forbidden(Path output, Kind kind, Collection<Path> inputs) {
        Path real = real(output);
        if (real.getParent() == null) {
            return "it is a filesystem root";
        }
        Path home = real(Path.of(System.getProperty("user.home")));
        if (real.equals(home)) {
            return "it is the home directory";
        }
        Path cwd = real(Path.of("").toAbsolutePath());
        if (cwd.startsWith(real)) {
            return real.equals(cwd) ? "it is the working directory" : "it holds the working directory";
        }
        for (Path in : inputs(inputs)) {
            Path r = real(in);
            if (r.startsWith(real)) {
                return r.equals(real) ? "it is an input of this command" : "it holds " + in + ", an input of this command";
            }
        }
        if (!kind.recognises().test(real)) {
            return "it is not a " + kind.description() + " written by geneformer (--overwrite only replaces this program's own outputs)";
        }
        return null;
    }

    private static List<Path> inputs(Collection<Path> inputs) {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (p != null && Files.exists(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The path with links resolved, so that another spelling of a protected place is still recognised. */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean holds(Path dir, String marker) {
        if (!marker.contains("*")) {
            return Files.exists(dir.resolve(marker), LinkOption.NOFOLLOW_LINKS);
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, marker)) {
            return s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean startsWith(Path p, byte[] magic) {
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(magic.length), magic);
        } catch (IOException e) {
            return false;
        }
    }

    /** A little-endian header length, then the JSON header. */
    private static boolean isSafetensors(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(9);
            return head.length == 9 && head[8] == '{';
        } catch (IOException e) {
            return false;
        }
    }

    /** No NUL byte in the first 8 KiB: what our CSV, TSV, JSON Lines and SVG outputs look like and binaries do not. */
    private static boolean isText(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The inputs of a command as one list, leaving out those not given. */
    public static List<Path> paths(Object... pathsOrLists) {
        List<Path> out = new ArrayList<>();
        for (Object o : pathsOrLists) {
            if (o instanceof Path p) {
                out.add(p);
            } else if (o instanceof Collection<?> c) {
                c.stream().filter(Path.class::isInstance).map(Path.class::cast).forEach(out::add);
            } else if (o instanceof String s && !s.isBlank()) {
                out.add(Path.of(s)); // a --model that is a name rather than a directory does not exist, and is ignored
            }
        }
        out.removeIf(Objects::isNull);
        return out;
    }
}
