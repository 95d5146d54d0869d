# Independent, hand-written re-statement of pltrdy rouge==1.0.1 (exclusive=True)
# get_scores(hyp, ref)[0][m]["f"], recursive LCS reconstruction as upstream.
import sys, json
sys.setrecursionlimit(100000)
def sents(s): return [" ".join(p.split()) for p in s.split(".") if len(p) > 0]
def words(ss):
    out=[]
    for s in ss: out += s.split(" ")
    return out
def f(p,r): return 2.0*((p*r)/(p+r+1e-8))
def r1(hyp, ref):
    h, r = sents(hyp), sents(ref)
    if not h or not r: return 0.0
    hs, rs = set(words(h)), set(words(r))
    o = len(hs & rs)
    p = o/len(hs) if hs else 0.0
    rr = o/len(rs) if rs else 0.0
    return f(p, rr)
def lcs_words(x, y):
    n, m = len(x), len(y)
    t = {}
    for i in range(n+1):
        for j in range(m+1):
            if i==0 or j==0: t[i,j]=0
            elif x[i-1]==y[j-1]: t[i,j]=t[i-1,j-1]+1
            else: t[i,j]=max(t[i-1,j], t[i,j-1])
    def rec(i,j):
        if i==0 or j==0: return []
        if x[i-1]==y[j-1]: return rec(i-1,j-1)+[x[i-1]]
        if t[i-1,j] > t[i,j-1]: return rec(i-1,j)
        return rec(i,j-1)
    return set(rec(n,m))
def rl(hyp, ref):
    ev, rf = sents(hyp), sents(ref)
    if not ev or not rf: return 0.0
    m = len(set(words(rf))); n = len(set(words(ev)))
    union=set()
    for rs in rf:
        for es in ev:
            union |= lcs_words(rs.split(" "), es.split(" "))
    l=len(union)
    return f(l/n, l/m)
cases = json.load(open(sys.argv[1]))
print(json.dumps([[r1(a,b), rl(a,b)] for a,b in cases]))
