#!/usr/bin/env python3
"""Writes unicode_compat_tables.cpp: the code points where Hugging Face
tokenizers' character data differ from utf8proc's.

HF's BertNormalizer and BertPreTokenizer take general categories from the
`unicode_categories` crate, frozen at Unicode 8.0, and lower-case with Rust's
char::to_lowercase, which follows the Rust release it was built with. utf8proc
follows its own Unicode version. To tokenize exactly as HF does, the plugin
asks utf8proc and then applies these exceptions.

Every code point is put through HF (the installed `tokenizers`) and through
utf8proc (the system library, via ctypes). Run it again after upgrading either;
the per-code-point set of tests/tokenizer/compare_hf.py fails when the tables
are stale.

    .venv/bin/python plugins/tokenizers/wordpiece/gen_unicode_compat.py
"""
import ctypes
import ctypes.util
import pathlib
import sys

import tokenizers
from tokenizers import NormalizedString
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer

CATEGORY_MN = 6
CATEGORIES_P = range(12, 19)         # Pc Pd Ps Pe Pi Pf Po
CATEGORIES_OTHER = (26, 27, 28, 29)  # Cc Cf Cs Co
DECOMPOSE = 1 << 4

utf8proc = ctypes.CDLL(ctypes.util.find_library("utf8proc") or "libutf8proc.so.2")
utf8proc.utf8proc_category.restype = ctypes.c_int
utf8proc.utf8proc_tolower.restype = ctypes.c_int32
utf8proc.utf8proc_unicode_version.restype = ctypes.c_char_p
utf8proc.utf8proc_version.restype = ctypes.c_char_p
utf8proc.utf8proc_decompose_char.restype = ctypes.c_ssize_t
utf8proc.utf8proc_decompose_char.argtypes = [ctypes.c_int32, ctypes.POINTER(ctypes.c_int32), ctypes.c_ssize_t,
                                             ctypes.c_int, ctypes.POINTER(ctypes.c_int)]


def decompose(cp):
    buffer = (ctypes.c_int32 * 32)()
    boundclass = ctypes.c_int(0)
    n = utf8proc.utf8proc_decompose_char(cp, buffer, 32, DECOMPOSE, ctypes.byref(boundclass))
    return [buffer[i] for i in range(n)]


class PropertyStruct(ctypes.Structure):
    _fields_ = [("category", ctypes.c_int16), ("combining_class", ctypes.c_int16)]


utf8proc.utf8proc_get_property.restype = ctypes.POINTER(PropertyStruct)


def combining_class(cp):
    return utf8proc.utf8proc_get_property(cp).contents.combining_class


def hf_nfd(text):
    normalized = NormalizedString(text)
    normalized.nfd()
    return normalized.normalized


def hf_knows_combining_class(c):
    """Whether HF's NFD reorders `c` as a combining mark: it moves after a
    mark of class 1 (U+0334) or before one of class 230 (U+0301)."""
    return hf_nfd(c + "\u0334") == "\u0334" + c or hf_nfd("\u0301" + c) == c + "\u0301"


def code_points():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


def main():
    clean = BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    lower = BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)
    pre_tokenizer = BertPreTokenizer()

    other_added, other_removed = [], []
    punctuation_added, punctuation_removed = [], []
    mark_added, mark_removed = [], []
    lowercase = []
    combining_removed = []
    nonspacing = {}
    decomposing = []
    decomposition_removed = []
    for cp in code_points():
        c = chr(cp)
        category = utf8proc.utf8proc_category(cp)

        # Text cleaning drops NUL, U+FFFD and HF's "other" characters except \t \n \r.
        if cp not in (0, 0xFFFD, 9, 10, 13):
            hf_other = clean.normalize_str(c) == ""
            ours = category in CATEGORIES_OTHER
            if hf_other and not ours:
                other_added.append(cp)
            elif ours and not hf_other:
                other_removed.append(cp)

        if cp >= 0x80:  # ASCII punctuation is punctuation for HF whatever its category
            pieces = pre_tokenizer.pre_tokenize_str("a" + c + "a")
            hf_punctuation = len(pieces) == 3 and pieces[1][0] == c
            ours = category in CATEGORIES_P
            if hf_punctuation and not ours:
                punctuation_added.append(cp)
            elif ours and not hf_punctuation:
                punctuation_removed.append(cp)

        parts = decompose(cp)
        stripped = strip.normalize_str(c)
        if parts == [cp]:
            if stripped not in ("", c):
                sys.exit(f"U+{cp:04X}: HF decomposes it, utf8proc does not; the plugin has no table for that")
            hf_mark = stripped == ""
            # A character that decomposes is replaced by its parts, so only
            # the others' classes matter.
            if combining_class(cp) != 0 and not hf_knows_combining_class(c):
                combining_removed.append(cp)
            nonspacing[cp] = hf_mark
            ours = category == CATEGORY_MN
            if hf_mark and not ours:
                mark_added.append(cp)
            elif ours and not hf_mark:
                mark_removed.append(cp)
        elif stripped == c:
            decomposition_removed.append(cp)
        else:
            decomposing.append((cp, parts))


        hf_lower = [ord(x) for x in lower.normalize_str(c)]
        if hf_lower != [utf8proc.utf8proc_tolower(cp)]:
            if len(hf_lower) > 3:
                sys.exit(f"U+{cp:04X}: lower-cases to {len(hf_lower)} characters, more than the table holds")
            lowercase.append((cp, hf_lower))

    # Accent stripping is NFD and then dropping marks; with the marks known,
    # HF's result tells whether its decompositions are utf8proc's.
    for cp, parts in decomposing:
        expected = "".join(chr(p) for p in parts if not nonspacing.get(p, False))
        if strip.normalize_str(chr(cp)) != expected:
            sys.exit(f"U+{cp:04X}: HF decomposes it differently from utf8proc; the plugin has no table for that")

    def ranges(points):
        out = []
        for cp in points:
            if out and out[-1][1] == cp - 1:
                out[-1][1] = cp
            else:
                out.append([cp, cp])
        return out

    def range_table(name, why, points):
        rows = ranges(points)
        body = "".join(f"    {{0x{a:04X}, 0x{b:04X}}},\n" for a, b in rows) or "    {0x110000, 0x110000},  // none\n"
        return (f"// {why}\nconstinit const CodePointRange {name}_ranges[] = {{\n{body}}};\n"
                f"const std::span<const CodePointRange> {name}{{{name}_ranges}};\n\n")

    lowercase_body = "".join(
        "    {0x%04X, {%s}, %d},\n" % (cp, ", ".join("0x%04X" % x for x in to), len(to)) for cp, to in lowercase)

    path = pathlib.Path(__file__).with_name("unicode_compat_tables.cpp")
    path.write_text(
        "// Generated by gen_unicode_compat.py: do not edit. Compared every code point\n"
        f"// of tokenizers {tokenizers.__version__} with utf8proc {utf8proc.utf8proc_version().decode()} "
        f"(Unicode {utf8proc.utf8proc_unicode_version().decode()}).\n"
        '#include "unicode_compat.hpp"\n\n'
        "namespace bertlab::wordpiece::compat {\n\n"
        + range_table("other_added", "HF drops these in text cleaning; utf8proc has them outside Cc/Cf/Cs/Co.", other_added)
        + range_table("other_removed", "utf8proc has these in Cc/Cf/Cs/Co; HF keeps them.", other_removed)
        + range_table("punctuation_added", "HF splits these off as punctuation; utf8proc has them outside P*.",
                      punctuation_added)
        + range_table("punctuation_removed", "utf8proc has these in P*; HF does not split them off.", punctuation_removed)
        + range_table("nonspacing_mark_added", "HF strips these as Mn; utf8proc has them in another category.",
                      mark_added)
        + range_table("nonspacing_mark_removed", "utf8proc has these in Mn; HF keeps them when stripping accents.",
                      mark_removed)
        + range_table("decomposition_removed", "utf8proc decomposes these; HF's NFD predates their decompositions.",
                      decomposition_removed)
        + range_table("combining_removed", "utf8proc gives these a combining class; HF's NFD treats them as starters.",
                      combining_removed)
        + "// HF's lower case where it is not utf8proc_tolower's (newer Unicode, or a full\n"
        "// mapping of more than one character).\n"
        f"constinit const LowercaseException lowercase_exception_rows[] = {{\n{lowercase_body}}};\n"
        "const std::span<const LowercaseException> lowercase_exceptions{lowercase_exception_rows};\n\n"
        "}  // namespace bertlab::wordpiece::compat\n")
    print(f"wrote {path}: {len(other_added)}+{len(other_removed)} other, "
          f"{len(punctuation_added)}+{len(punctuation_removed)} punctuation, "
          f"{len(mark_added)}+{len(mark_removed)} Mn, {len(decomposition_removed)} NFD, "
          f"{len(combining_removed)} combining class, {len(lowercase)} lowercase")


if __name__ == "__main__":
    main()
