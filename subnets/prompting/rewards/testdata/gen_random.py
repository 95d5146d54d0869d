# Random golden cases (run with Debian's python3 from this directory):
#   python3 gen_random.py
# ROUGE values come from rouge_ref.py (hand-written pltrdy 1.0.1 statement);
# difflib values from the standard library's SequenceMatcher.
import difflib, json, random, subprocess, sys
random.seed(20261122)
vocab = ["a", "b", "c", "the", "cat", "The", "dog.", ".", "x,", "  ", "\t", "é", "b.", ".."]
def text(n):
    return " ".join(random.choice(vocab) for _ in range(n))
rouge_cases = [[text(random.randint(0, 30)), text(random.randint(0, 30))] for _ in range(300)]
json.dump(rouge_cases, open("rouge_random_cases.json", "w"))
out = subprocess.run([sys.executable, "rouge_ref.py", "rouge_random_cases.json"], capture_output=True, text=True, check=True).stdout
open("rouge_random_golden.json", "w").write(out)
alpha = ["ab", "abc \n", "abcdefghij(){};= \n\t", "aé\u4e2d \n"]
diff_cases = []
for _ in range(150):
    al = random.choice(alpha)
    a = "".join(random.choice(al) for _ in range(random.randint(0, 450)))
    if random.random() < 0.5:
        b = list(a)
        for _ in range(random.randint(0, 40)):
            op = random.random()
            i = random.randint(0, len(b))
            if op < 0.4 and b: del b[min(i, len(b)-1)]
            elif op < 0.8: b.insert(i, random.choice(al))
            elif b: b[min(i, len(b)-1)] = random.choice(al)
        b = "".join(b)
    else:
        b = "".join(random.choice(al) for _ in range(random.randint(0, 450)))
    diff_cases.append([a, b, difflib.SequenceMatcher(None, a, b).ratio()])
json.dump(diff_cases, open("difflib_random_golden.json", "w"))
