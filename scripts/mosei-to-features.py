#!/usr/bin/env python3
"""Converts MulT's CMU-MOSEI release into a miebench cmu-mosei tree.

Input: mosei_senti_data.pkl of github.com/yaohungt/Multimodal-Transformer
(the word-aligned release: a dict of train, valid and test, each a dict with
'text' [N, 50, 300], 'audio' [N, 50, 74], 'vision' [N, 50, 35] and
'labels' [N, 1, 1], the sentiment in [-3, 3]).

Output (miebench describe cmu-mosei): OUT/audio.npy, visual.npy, text.npy
(float32, averaged over the 50 steps unless --steps), labels.npy, split.txt,
classes.txt. The audio features of that release hold some -inf values; they
are set to 0 (as MulT's own loader does) and counted, since miebench
refuses non-finite features.

    python3 scripts/mosei-to-features.py mosei_senti_data.pkl OUT [--classes 2|7] [--steps]

Needs NumPy only. Not run by CI.
"""
import argparse
import os
import pickle

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pickle")
    ap.add_argument("out")
    ap.add_argument("--classes", type=int, choices=[2, 7], default=2)
    ap.add_argument("--steps", action="store_true", help="keep the 50 aligned steps instead of averaging them")
    a = ap.parse_args()
    with open(a.pickle, "rb") as f:
        data = pickle.load(f)
    mods = {"audio": "audio", "visual": "vision", "text": "text"}
    out = {m: [] for m in mods}
    labels, split = [], []
    for ours, theirs in (("train", "train"), ("val", "valid"), ("test", "test")):
        d = data[theirs]
        for m, key in mods.items():
            x = np.asarray(d[key], dtype=np.float64)
            bad = ~np.isfinite(x)
            if bad.any():
                print(f"{theirs}/{key}: {int(bad.sum())} non-finite values set to 0")
                x[bad] = 0
            if not a.steps:
                x = x.mean(axis=1)
            out[m].append(x.astype(np.float32))
        s = np.asarray(d["labels"], dtype=np.float64).reshape(-1)
        if a.classes == 2:
            y = (s >= 0).astype(np.int64)
        else:
            y = (np.round(np.clip(s, -3, 3)) + 3).astype(np.int64)
        labels.append(y)
        split += [ours] * len(y)
        print(f"{ours}: {len(y)} segments")
    os.makedirs(a.out, exist_ok=True)
    for m, parts in out.items():
        np.save(os.path.join(a.out, m + ".npy"), np.concatenate(parts))
    np.save(os.path.join(a.out, "labels.npy"), np.concatenate(labels))
    with open(os.path.join(a.out, "split.txt"), "w") as f:
        f.write("\n".join(split) + "\n")
    names = ["negative", "non-negative"] if a.classes == 2 else [str(k - 3) for k in range(7)]
    with open(os.path.join(a.out, "classes.txt"), "w") as f:
        f.write("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
