import difflib, json, random
cases = [
 ("", ""), ("abc", ""), ("", "abc"), ("abcd", "bcde"), ("hello world", "hello there world"),
 ("def f(x):\n    return x + 1\n", "def f(x):\n    return x - 1\n"),
 ("private Thread currentThread;", "private volatile Thread currentThread;"),
 ("naïve café", "naive cafe"),
]
random.seed(7)
alpha = "ab \n"
a = "".join(random.choice(alpha) for _ in range(600))
b = "".join(random.choice(alpha) for _ in range(500))
cases.append((a, b))
code = open("/usr/lib/go-1.26/src/sort/sort.go").read() if False else None
import os, glob
g = sorted(glob.glob(os.popen("go env GOROOT").read().strip()+"/src/strings/builder.go"))[0]
src = open(g).read()[:3000]
mut = src.replace("b.buf", "b.buff").replace("\t", "  ", 50)[200:2900]
cases.append((src, mut))
cases.append(("x"*300 + "y", "y" + "x"*300))
out = [[a, b, difflib.SequenceMatcher(None, a, b).ratio()] for a, b in cases]
json.dump(out, open("/tmp/golden/difflib.json", "w"))
for x in out: print(repr(x[2]))
