"""geneformer4j's epoch order (train/EpochOrder.java) in Python, so that the transformers side of a benchmark trains
on the very batches ours does: java.util.Random's Fisher-Yates shuffle seeded by seed * 1,000,003 + epoch, then
transformers' megabatches (min(n // (4 batch), 50) batches) each sorted longest first, stably, and the longest cell
of the epoch swapped to the front."""

MASK48 = (1 << 48) - 1


class JavaRandom:
    """java.util.Random: the 48-bit linear congruential generator and its nextInt(bound)."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & MASK48

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & MASK48
        return self.seed >> (48 - bits)

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < (1 << 31):  # Java's int overflow test: u - r + m < 0
                return r
            u = self.next(31)


def order(lengths, batch, seed=42, epoch=0, group_by_length=True):
    n = len(lengths)
    idx = list(range(n))
    rng = JavaRandom(seed * 1_000_003 + epoch)
    for i in range(n - 1, 0, -1):
        j = rng.next_int(i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    if not group_by_length or n == 0:
        return idx
    mega = batch * max(1, min(n // (4 * batch), 50))
    longest, longest_len = 0, -1
    for start in range(0, n, mega):
        idx[start:start + mega] = sorted(idx[start:start + mega], key=lambda i: -lengths[i])  # sorted() is stable
        if lengths[idx[start]] > longest_len:
            longest, longest_len = start, lengths[idx[start]]
    idx[0], idx[longest] = idx[longest], idx[0]
    return idx


def batches(lengths, batch, seed=42, epoch=0):
    o = order(lengths, batch, seed, epoch)
    return [o[i:i + batch] for i in range(0, len(o), batch)]
