"""The marketplace's stats export into ListingStat: per-row errors, upsert on re-import."""

from datetime import date

import pytest
from sqlmodel import Session, select

from store_data.errors import CatalogFileError
from store_data.listing_stats import ListingStat, import_listing_stats, import_stats_text

# The header the sandbox marketplace's /seller/stats.csv writes.
HEADER = "day,listing_id,sku,title,visits,add_to_carts,orders,units,revenue_cents,conversion"


def write(tmp_path, *rows):
    path = tmp_path / "stats.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_then_reimport_with_newer_numbers(engine, tmp_path):
    first = write(tmp_path, "2026-03-02,7,MUG-1,Mug,120,9,3,4,4000,0.025", "2026-03-01,7,MUG-1,Mug,80,4,1,1,1000,0.0125",
                  "2026-03-01,8,VASE-1,Vase,10,0,0,0,0,0.0")
    with Session(engine) as s:
        report = import_listing_stats(s, first)
        s.commit()
    assert (report.rows, report.created, report.updated, report.errors) == (3, 3, 0, [])
    second = write(tmp_path, "2026-03-02,7,MUG-1,Mug,150,9,4,5,5000,0.0267", "2026-03-01,7,MUG-1,Mug,80,4,1,1,1000,0.0125")
    with Session(engine) as s:
        report = import_listing_stats(s, second)
        s.commit()
        assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
        stats = s.exec(select(ListingStat).order_by(ListingStat.day, ListingStat.listing_remote_id)).all()
        assert [(x.day, x.sku, x.visits, x.orders) for x in stats] == [
            (date(2026, 3, 1), "MUG-1", 80, 1), (date(2026, 3, 1), "VASE-1", 10, 0), (date(2026, 3, 2), "MUG-1", 150, 4)]


def test_bad_rows_are_named(engine, tmp_path):
    path = write(tmp_path, "2026-03-02,7,MUG-1,Mug,12,1,1,1,100,0.08", "03/02/2026,7,MUG-1,Mug,12,1,1,1,100,0.08",
                 "2026-03-03,7,MUG-1,Mug,-5,1,1,1,100,0.08", "2026-03-04,,MUG-1,Mug,,1,x,1,100,0.08",
                 "2026-03-02,7,MUG-1,Mug,12,1,1,1,100,0.08")
    with Session(engine) as s:
        report = import_listing_stats(s, path)
    assert report.created == 1
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "day", "'03/02/2026' is not a date; write it like 2026-11-30"),
        (4, "visits", "negative visits (-5)"),
        (5, "listing_id", "missing listing id"),
        (5, "visits", "missing visits; write a whole number, 0 or more"),
        (5, "orders", "'x' is not a whole number"),
        (6, "listing_id", "listing 7 on 2026-03-02 appears twice; first on row 2"),
    ]


def test_a_file_that_is_not_a_stats_export(engine, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("sku,name\nA,B\n")
    with Session(engine) as s, pytest.raises(CatalogFileError, match="lacks day, listing_id, visits"):
        import_listing_stats(s, path)


def test_a_pulled_window_replaces_the_stored_days(engine):
    first = "\n".join([HEADER, "2026-11-02,7,MUG-01,Mug,10,2,1,1,1450,0.1",
                       "2026-11-03,7,MUG-01,Mug,12,2,1,1,1450,0.08", "2026-10-20,7,MUG-01,Mug,5,0,0,0,0,0"])
    with Session(engine) as session:
        import_stats_text(session, first, "pull 1")
        session.commit()
        # The platform now reports only 11-03 in the window 11-01..11-03: 11-02 goes, 10-20 stays.
        again = import_stats_text(session, "\n".join([HEADER, "2026-11-03,7,MUG-01,Mug,12,2,1,1,1450,0.08"]),
                                  "pull 2", window=(date(2026, 11, 1), date(2026, 11, 3)))
        session.commit()
        days = sorted((s.day, s.visits) for s in session.exec(select(ListingStat)))
    assert (again.unchanged, again.removed) == (1, 1)
    assert days == [(date(2026, 10, 20), 5), (date(2026, 11, 3), 12)]
