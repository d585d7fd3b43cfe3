"""Bad input never takes a run down: every kind of bad record at once, through the command line.

Each bad record gives one report line naming the file, the line and the field; the good records are coded; the
exit status (3) and the errors report say how many were skipped.
"""
import csv
import json
from pathlib import Path

import pytest

from test_run import make_codebook

GOOD = "Kazakh police arrested {n} protesters in Almaty."
GOOD2 = "Russian troops shelled Ukrainian positions near Kharkiv."


def _line(rec) -> bytes:
    return (rec if isinstance(rec, bytes) else json.dumps(rec).encode()) + b"\n"


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """A folder with several bad files and good ones, coded with the real command line."""
    from eventcode.cli import main

    base = tmp_path_factory.mktemp("bad")
    cb = make_codebook(base / "cb")
    folder = base / "input"
    folder.mkdir()
    records = [  # (record, expected problem or None); line numbers are positions in this list
        ({"id": "good-1", "date": "2022-01-05", "text": GOOD.format(n=40)}, None),
        (b'{"id": "broken", "text": "Police arrested', ("error", None, "malformed JSON")),
        ({"text": GOOD.format(n=3)}, ("error", "id", "missing or empty")),
        ({"id": "  ", "text": GOOD.format(n=4)}, ("error", "id", "missing or empty")),
        ({"id": "no-text"}, ("error", "text", "missing or empty (id 'no-text')")),
        ({"id": "empty-text", "text": "  \n "}, ("error", "text", "missing or empty (id 'empty-text')")),
        ({"id": "number-text", "text": 12}, ("error", "text", "expected a string, got int")),
        ({"id": "good-1", "text": GOOD2}, ("error", "id", "duplicate id 'good-1'")),
        ({"id": "bad-date", "date": "05/01/2022", "text": GOOD2}, ("warning", "date", "'05/01/2022' is not a date")),
        ('{"id": "latin-1", "text": "Russian troops shelled Ukrainian positions near Kharkiv caf\xe9."}'
         .encode("latin-1"), ("warning", "text", "not valid UTF-8 (id 'latin-1')")),
        (b'{"id": "lone-escape", "text": "Kazakh police arrested 7 protesters in Almaty \\udc80."}',
         ("warning", "text", "not valid UTF-8 (id 'lone-escape')")),
        ({"id": "huge", "text": ("Talks went on. " * 350_000)[:5_000_000]},
         ("error", "text", "5,000,000 characters (id 'huge'), over the limit")),
        (b"[1, 2, 3]", ("error", None, "expected an object with id and text, got list")),
        ({"id": "good-2", "date": "2022-01-06T10:00:00Z", "text": GOOD.format(n=12)}, None),
    ]
    with open(folder / "a_articles.jsonl", "wb") as fh:
        fh.write(b"".join(_line(r) for r, _ in records))
    (folder / "b_empty.jsonl").write_bytes(b"")
    (folder / "c_columns.csv").write_text("identifier,body\nx1,Police arrested 3 protesters in Almaty.\n",
                                          encoding="utf-8")
    with open(folder / "d_good.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Text", "Date"])  # header names in any case
        w.writerow(["csv-1", GOOD2, "2022-02-24"])
        w.writerow(["csv-2", "", "2022-02-24"])
    (folder / "e_story.txt").write_text("Police arrest protesters\n\n" + GOOD.format(n=9), encoding="utf-8")
    (folder / "f_readme.md").write_text("not an input file")

    out = base / "events.jsonl"
    code = main(["code", str(folder), "-o", str(out), "--base-codebook", str(cb), "--quiet"])
    return {"code": code, "out": out, "folder": folder, "records": records}


@pytest.fixture(scope="module")
def report(bad_run):
    path = Path(str(bad_run["out"]) + ".errors.tsv")
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_exit_status_says_records_were_skipped(bad_run):
    assert bad_run["code"] == 3


def test_good_articles_are_coded(bad_run):
    events = [json.loads(line) for line in bad_run["out"].read_text(encoding="utf-8").splitlines()]
    by_doc = {}
    for e in events:
        by_doc.setdefault(e["doc_id"], []).append((e["source"], e["target"], e["code"]))
    assert ("KAZCOP", "KAZOPP", "173") in by_doc["good-1"]
    assert ("KAZCOP", "KAZOPP", "173") in by_doc["good-2"]
    assert ("RUSMIL", "UKRMIL", "190") in by_doc["bad-date"] or ("RUSMIL", "UKR", "190") in by_doc["bad-date"]
    assert any(c == "190" for _, _, c in by_doc["latin-1"])
    assert any(c == "173" for _, _, c in by_doc["lone-escape"])
    assert any(c == "190" for _, _, c in by_doc["csv-1"])
    assert any(c == "173" for _, _, c in by_doc["e_story"])
    # the skipped ones are not there; the warned ones have their field emptied or repaired
    assert not set(by_doc) & {"broken", "no-text", "empty-text", "number-text", "huge", "x1", "csv-2"}
    bad_date = next(e for e in events if e["doc_id"] == "bad-date")
    assert bad_date["date"] is None
    assert next(e for e in events if e["doc_id"] == "good-2")["date"] == "2022-01-06"
    latin = next(e for e in events if e["doc_id"] == "latin-1")
    assert "\ufffd" in latin["sentence"]
    # the first good-1 is coded, the duplicate is not
    assert all("Kazakh police" in s or "arrested 40" in s
               for s in (e["sentence"] for e in events if e["doc_id"] == "good-1"))


def test_one_report_line_per_bad_record_naming_file_line_and_field(bad_run, report):
    folder = bad_run["folder"]
    got = {(r["level"], Path(r["file"]).name, r["line"], r["field"]): r["message"] for r in report}
    expected = []
    for n, (_, problem) in enumerate(bad_run["records"], 1):
        if problem:
            level, field, text = problem
            expected.append(((level, "a_articles.jsonl", str(n), field or ""), text))
    expected += [
        (("error", "b_empty.jsonl", "", ""), "empty file"),
        (("error", "c_columns.csv", "1", "id,text"), "CSV header lacks column(s) id, text"),
        (("error", "d_good.csv", "3", "text"), "missing or empty (id 'csv-2')"),
    ]
    for key, text in expected:
        assert key in got, f"no report line for {key}"
        assert text in got[key], f"{key}: {got[key]!r}"
    assert len(report) == len(expected)  # one line each, nothing else
    assert all(Path(r["file"]).parent == folder for r in report)


def test_summary_counts_skipped_and_warnings(bad_run, report, capsys):
    skipped = sum(1 for r in report if r["level"] == "error")
    warnings = sum(1 for r in report if r["level"] == "warning")
    assert (skipped, warnings) == (12, 3)


def test_summary_is_printed(tmp_path, capsys):
    from eventcode.cli import main

    cb = make_codebook(tmp_path / "cb")
    src = tmp_path / "in.jsonl"
    src.write_bytes(_line({"id": "a", "text": GOOD.format(n=5)}) + b"not json\n" +
                    _line({"id": "b", "date": "yesterday", "text": GOOD2}))
    out = tmp_path / "out.csv"
    assert main(["code", str(src), "-o", str(out), "--base-codebook", str(cb), "--quiet", "--workers", "1"]) == 3
    err = capsys.readouterr().err
    assert "coded 2 articles" in err
    assert f"1 records skipped, 1 warnings; report: {out}.errors.tsv" in err
    assert f"{src}:2: malformed JSON" in err and f"{src}:3: field 'date':" in err
    # a clean rerun on good input removes the stale report and exits 0
    src.write_bytes(_line({"id": "a", "text": GOOD.format(n=5)}))
    assert main(["code", str(src), "-o", str(out), "--base-codebook", str(cb), "--quiet", "--workers", "1"]) == 0
    assert not Path(f"{out}.errors.tsv").exists()


def test_an_article_the_coder_fails_on_is_reported_and_skipped(tmp_path, monkeypatch):
    import eventcode.run as runmod

    cb = make_codebook(tmp_path / "cb")
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(_line({"id": f"d{i}", "text": GOOD.format(n=i + 2)}) for i in range(5)))
    real = runmod.event_rows

    def fragile(article, doc):
        if article.id == "d2":
            raise ValueError("unexpected parse")
        return real(article, doc)

    monkeypatch.setattr(runmod, "event_rows", fragile)
    out = tmp_path / "out.jsonl"
    summary = runmod.code_file(src, out, codebook=cb, workers=1, quiet=True)
    assert summary.articles == 4 and summary.skipped == 1
    [problem] = summary.problems
    assert (problem.line, problem.field) == (3, None) and "coder failed" in problem.message
    assert "ValueError: unexpected parse" in problem.message
    ids = {json.loads(line)["doc_id"] for line in out.read_text().splitlines()}
    assert ids == {"d0", "d1", "d3", "d4"}


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    from eventcode.cli import main

    assert main(["code", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--quiet"]) == 2
    assert "nope.jsonl: input not found" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------- readers


def test_csv_fields_longer_than_the_csv_module_default(tmp_path):
    from eventcode.io import read_articles

    path = tmp_path / "long.csv"
    long_text = "Talks went on. " * 10_000  # 150,000 characters: over csv's 131,072 default, under MAX_CHARS
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "text"], ["long", long_text], ["short", GOOD2]])
    problems = []
    arts = list(read_articles(path, problems))
    assert [a.id for a in arts] == ["long", "short"] and problems == []
    assert len(arts[0].text) == len(long_text.strip())


def test_bom_and_json_array_hint(tmp_path):
    from eventcode.io import read_articles

    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + _line({"id": "a", "text": GOOD2}))
    problems = []
    assert [a.id for a in read_articles(bom, problems)] == ["a"] and problems == []
    arr = tmp_path / "array.json"
    arr.write_text('[\n  {"id": "a", "text": "x"},\n  {"id": "b", "text": "y"}\n]\n')
    problems = []
    assert [a.id for a in read_articles(arr, problems)] == ["b"]  # the one line that is an object by itself
    assert "JSON Lines" in problems[0].message and problems[0].line == 1


def test_max_chars_option(tmp_path):
    from eventcode.io import read_articles

    path = tmp_path / "a.jsonl"
    path.write_bytes(_line({"id": "a", "text": "x" * 300}))
    problems = []
    assert list(read_articles(path, problems, max_chars=100)) == []
    assert "over the limit of 100" in problems[0].message
    assert [a.id for a in read_articles(path, [], max_chars=1000)] == ["a"]
