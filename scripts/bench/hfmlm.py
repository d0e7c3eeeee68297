"""Upstream's masked-gene-modelling step as the transformers reference scripts run it (hf_pretrain.py,
hf_pretrain_curve.py): DataCollatorForLanguageModeling's masking on right-padded cells, and AdamW's parameter groups
as transformers' Trainer makes them (no decay on biases and LayerNorm weights)."""
import torch

PAD, MASK = 0, 1


def collate(rows, vocab, gen=None):
    """ids, attention mask, labels of cells `rows`: 15 % of non-special positions chosen, 80 % of them <mask>, 10 %
    a random token, 10 % unchanged; -100 elsewhere."""
    n = max(len(r) for r in rows)
    ids = torch.full((len(rows), n), PAD, dtype=torch.long)
    att = torch.zeros((len(rows), n), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        att[i, :len(r)] = 1
    labels = ids.clone()
    chosen = torch.bernoulli(torch.full(ids.shape, 0.15), generator=gen).bool() & (ids != PAD) & (ids != MASK)
    labels[~chosen] = -100
    replace = torch.bernoulli(torch.full(ids.shape, 0.8), generator=gen).bool() & chosen
    ids[replace] = MASK
    rand = torch.bernoulli(torch.full(ids.shape, 0.5), generator=gen).bool() & chosen & ~replace
    ids[rand] = torch.randint(vocab, ids.shape, generator=gen)[rand]
    return ids, att, labels


def adamw(model, lr, weight_decay=0.001):
    """AdamW over `model` with the Trainer's grouping."""
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)
