"""The Dask backend on a local dask.distributed cluster of 2 worker processes: the same events, in the same order,
as the local backend; partitioned Parquet for .parquet or a folder."""
import pandas as pd
import pytest

from test_run import make_codebook, make_corpus

distributed = pytest.importorskip("distributed")

KEY = ["doc_id", "sentence_id", "event_index"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from eventcode.run import code_file

    base = tmp_path_factory.mktemp("dask")
    cb = make_codebook(base / "cb")
    corpus = make_corpus(base / "corpus.jsonl", 50, seed=7)
    local = base / "local.parquet"
    code_file(corpus, local, codebook=cb, workers=1, quiet=True, chunk_size=8)
    local_jsonl = base / "local.jsonl"
    code_file(corpus, local_jsonl, codebook=cb, workers=1, quiet=True, chunk_size=8)
    return {"dir": base, "cb": cb, "corpus": corpus, "local": local, "local_jsonl": local_jsonl}


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


def _sorted(df):
    return df.sort_values(KEY).reset_index(drop=True)


def test_dask_parquet_equals_local_backend(env, cluster):
    from eventcode.io import read_events
    from eventcode.run import code_file

    out = env["dir"] / "dask.parquet"
    summary = code_file(env["corpus"], out, codebook=env["cb"], backend="dask", scheduler=cluster.scheduler_address,
                        quiet=True, chunk_size=8)
    assert summary.articles == 50 and summary.events > 50
    assert out.is_dir()  # partitioned: one part per chunk with events
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part.{k:06d}.parquet" for k in range(7)]
    dask_df, local_df = read_events(out), read_events(env["local"])
    pd.testing.assert_frame_equal(_sorted(dask_df), _sorted(local_df))
    pd.testing.assert_frame_equal(dask_df, local_df)  # parts in input order: already the same order
    # dask can read the partitioned output directly, one partition per part
    import dask.dataframe as dd

    ddf = dd.read_parquet(out)
    assert ddf.npartitions == 7 and len(ddf) == len(local_df)


def test_dask_jsonl_is_byte_identical_to_local(env, cluster):
    from eventcode.run import code_file

    out = env["dir"] / "dask.jsonl"
    code_file(env["corpus"], out, codebook=env["cb"], backend="dask", scheduler=cluster.scheduler_address,
              quiet=True, chunk_size=8)
    assert out.read_bytes() == env["local_jsonl"].read_bytes()


def test_dask_without_address_starts_a_local_cluster_from_the_cli(env, capsys):
    from eventcode.cli import main
    from eventcode.io import read_events

    out = env["dir"] / "dask_folder"
    rc = main(["code", str(env["corpus"]), "-o", str(out), "--base-codebook", str(env["cb"]), "--backend", "dask",
               "--workers", "2", "--chunk-size", "8", "--quiet"])
    assert rc == 0
    assert "[dask, 2 workers]" in capsys.readouterr().err
    pd.testing.assert_frame_equal(_sorted(read_events(out)), _sorted(read_events(env["local"])))
