// The official scorers' logic, written out in Python for the tests to compare
// with: SQuAD v1.1 (evaluate-v1.1.py), SQuAD v2.0 (evaluate-v2.0.py, no
// na_prob file) and CMRC 2018 (cmrc2018_evaluate.py). The CMRC script calls
// nltk.word_tokenize on non-Chinese runs; NLTK is not installed here, so the
// stand-in the head documents (answer_metrics.hpp) takes its place, written
// independently below.
//
// Usage: script DATASET PREDICTIONS MODE (v1 | v2 | zh); prints the metrics.
#pragma once

namespace bertlab::test {

inline constexpr const char* kOfficialScorers = R"PY(
import collections, json, re, string, sys

def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)
    def white_space_fix(text):
        return ' '.join(text.split())
    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)
    return white_space_fix(remove_articles(remove_punc(s.lower())))

def v1_f1(prediction, ground_truth):
    p = normalize_answer(prediction).split()
    g = normalize_answer(ground_truth).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)

def v1_exact(prediction, ground_truth):
    return normalize_answer(prediction) == normalize_answer(ground_truth)

def v1(dataset, predictions):
    f1 = exact = total = 0
    for article in dataset:
        for paragraph in article['paragraphs']:
            for qa in paragraph['qas']:
                total += 1
                golds = [a['text'] for a in qa['answers']]
                prediction = predictions[qa['id']]
                exact += max(v1_exact(prediction, g) for g in golds)
                f1 += max(v1_f1(prediction, g) for g in golds)
    return {'exact_match': 100.0 * exact / total, 'f1': 100.0 * f1 / total}

def get_tokens(s):
    if not s:
        return []
    return normalize_answer(s).split()

def v2_exact(a_gold, a_pred):
    return int(normalize_answer(a_gold) == normalize_answer(a_pred))

def v2_f1(a_gold, a_pred):
    gold_toks, pred_toks = get_tokens(a_gold), get_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        return int(gold_toks == pred_toks)
    if same == 0:
        return 0
    precision, recall = same / len(pred_toks), same / len(gold_toks)
    return 2 * precision * recall / (precision + recall)

def v2(dataset, preds):
    has_ans, exact, f1 = {}, {}, {}
    for article in dataset:
        for p in article['paragraphs']:
            for qa in p['qas']:
                qid = qa['id']
                has_ans[qid] = bool(qa['answers'])
                golds = [a['text'] for a in qa['answers'] if normalize_answer(a['text'])] or ['']
                exact[qid] = max(v2_exact(a, preds[qid]) for a in golds)
                f1[qid] = max(v2_f1(a, preds[qid]) for a in golds)
    def summary(ids):
        return 100.0 * sum(exact[k] for k in ids) / len(ids), 100.0 * sum(f1[k] for k in ids) / len(ids), len(ids)
    out = {}
    out['exact_match'], out['f1'], _ = summary(list(exact))
    has = [k for k, v in has_ans.items() if v]
    no = [k for k, v in has_ans.items() if not v]
    if has:
        out['HasAns_exact'], out['HasAns_f1'], out['HasAns_total'] = summary(has)
    if no:
        out['NoAns_exact'], out['NoAns_f1'], out['NoAns_total'] = summary(no)
    return out

SP_CHAR = ['-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=', '，', '。', '：', '？', '！', '“', '”', '；', '’',
           '《', '》', '……', '·', '、', '「', '」', '（', '）', '－', '～', '『', '』']

def word_tokenize_stand_in(text):
    tokens = []
    for word in text.split():
        current = ''
        for i, c in enumerate(word):
            comma = c == ',' and not (i + 1 < len(word) and word[i + 1] in '0123456789')
            if c in '?!;@#$%&()[]{}<>"' or comma:
                if current:
                    tokens.append(current)
                current = ''
                tokens.append(c)
            else:
                current += c
        if current:
            tokens.append(current)
    if tokens and len(tokens[-1]) > 1 and tokens[-1].endswith('.') and tokens[-1][-2] != '.':
        tokens[-1] = tokens[-1][:-1]
        tokens.append('.')
    return tokens

def mixed_segmentation(in_str, rm_punc=False):
    in_str = str(in_str).lower().strip()
    segs_out, temp_str = [], ''
    for char in in_str:
        if rm_punc and char in SP_CHAR:
            continue
        if re.search(r'[\u4e00-\u9fa5]', char) or char in SP_CHAR:
            if temp_str != '':
                segs_out.extend(word_tokenize_stand_in(temp_str))
                temp_str = ''
            segs_out.append(char)
        else:
            temp_str += char
    if temp_str != '':
        segs_out.extend(word_tokenize_stand_in(temp_str))
    return segs_out

def remove_punctuation(in_str):
    in_str = str(in_str).lower().strip()
    return ''.join(c for c in in_str if c not in SP_CHAR)

def find_lcs(s1, s2):
    m = [[0 for i in range(len(s2) + 1)] for j in range(len(s1) + 1)]
    mmax, p = 0, 0
    for i in range(len(s1)):
        for j in range(len(s2)):
            if s1[i] == s2[j]:
                m[i + 1][j + 1] = m[i][j] + 1
                if m[i + 1][j + 1] > mmax:
                    mmax, p = m[i + 1][j + 1], i + 1
    return s1[p - mmax:p], mmax

def cmrc_f1(answers, prediction):
    scores = []
    for ans in answers:
        ans_segs = mixed_segmentation(ans, rm_punc=True)
        prediction_segs = mixed_segmentation(prediction, rm_punc=True)
        lcs, lcs_len = find_lcs(ans_segs, prediction_segs)
        if lcs_len == 0:
            scores.append(0)
            continue
        precision, recall = lcs_len / len(prediction_segs), lcs_len / len(ans_segs)
        scores.append(2 * precision * recall / (precision + recall))
    return max(scores)

def cmrc_em(answers, prediction):
    return int(any(remove_punctuation(a) == remove_punctuation(prediction) for a in answers))

def zh(dataset, predictions):
    f1 = em = total = 0
    for instance in dataset:
        for para in instance['paragraphs']:
            for qas in para['qas']:
                total += 1
                answers = [x['text'] for x in qas['answers']]
                prediction = str(predictions[qas['id'].strip()])
                f1 += cmrc_f1(answers, prediction)
                em += cmrc_em(answers, prediction)
    return {'exact_match': 100.0 * em / total, 'f1': 100.0 * f1 / total}

dataset = json.load(open(sys.argv[1], encoding='utf-8'))['data']
predictions = json.load(open(sys.argv[2], encoding='utf-8'))
print(json.dumps({'v1': v1, 'v2': v2, 'zh': zh}[sys.argv[3]](dataset, predictions)))
)PY";

}  // namespace bertlab::test
