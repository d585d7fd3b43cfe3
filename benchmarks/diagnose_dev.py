"""Why dev-set sentences got no event: no candidate predicate, candidates but no pattern matched, matched but
dropped (negation, modality...), or matched with no source actor. Usage:
    python benchmarks/diagnose_dev.py plover_gsr_cameo.json 20
"""
import sys, collections
import eventcode
from eventcode.evaluate import read_gold
from eventcode.run import article_doc
from eventcode.io import Article
nlp=eventcode.load_pipeline()
which=sys.argv[1]
from pathlib import Path
DEV = Path(__file__).resolve().parents[1].parent / 'shared' / 'dev'
gold=read_gold(DEV / which)
cat=collections.Counter(); ex=collections.defaultdict(list)
for g in gold:
    art=Article(g.id,g.text)
    d=article_doc(nlp,art); d._.trace=[]
    d=nlp(d)
    if d._.events: continue
    tr=[r for r in d._.trace if 'predicate' in r]
    matched=[r for r in tr if r['matched']]
    if not tr: c='no candidate predicate'
    elif not matched: c='candidates, no pattern matched'
    elif all(r['dropped'] for r in matched): c='dropped: '+matched[0]['dropped'].split(':')[0].split("'")[0]
    else: c='matched, no source actor'
    cat[c]+=1; ex[c].append((g.text[:150], [(r['lemma'], r['matched'] and r['matched'].split(' -> ')[0]) for r in tr][:5]))
print(cat)
for c in ex:
    print('==',c)
    for t in ex[c][:int(sys.argv[2])]: print('  ',t)
