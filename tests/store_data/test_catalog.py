"""Catalog import: every bad input named with row, column and reason; good rows imported;
re-import changes nothing."""

import json

import pytest
from sqlmodel import Session, select

from store_data.catalog import import_catalog
from store_data.catalog_file import read_catalog
from store_data.errors import CatalogFileError
from store_data.shop import Asset, Product, Variant

HEADER = "sku,product,name,category,description,attributes,options,cost,stock,photos,language"
GOOD = 'MUG-1,mug,Mug,Kitchen,A mug.,material=ceramic; capacity=350 ml,color=white,4.20,10,photos/mug.jpg,en'


@pytest.fixture
def catalog_dir(tmp_path, make_photo):
    folder = tmp_path / "supplier"
    make_photo(tmp_path / "outside.jpg")  # a real picture, beside (not inside) the catalog's folder
    make_photo(folder / "photos" / "mug.jpg")
    make_photo(folder / "photos" / "mug-blue.jpg", color=(20, 40, 200))
    (folder / "photos" / "broken.jpg").write_bytes(b"not a picture at all")
    return folder


def write_csv(folder, *lines, header=HEADER, name="catalog.csv"):
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


# (row text, column, part of the reason) — the row is always on line 3, after a good row.
BAD_ROWS = [
    ('MUG-2,mug,Mug,Kitchen,,,,,5,photos/mug.jpg,en', "cost", "missing cost"),
    ('MUG-2,mug,Mug,Kitchen,,,,-1.00,5,photos/mug.jpg,en', "cost", "negative cost"),
    ('MUG-2,mug,Mug,Kitchen,,,,abc,5,photos/mug.jpg,en', "cost", "is not an amount"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.205,5,photos/mug.jpg,en', "cost", "more than two decimals"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,ten,photos/mug.jpg,en', "stock", "not a whole number"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,-2,photos/mug.jpg,en', "stock", "negative stock"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,,photos/mug.jpg,en', "stock", "missing stock"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,5,photos/missing.jpg,en', "photos", "image not found"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,5,photos/broken.jpg,en', "photos", "unreadable image"),
    ('MUG-1,mug,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "sku", "duplicate SKU, first seen on row 2"),
    (',mug,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "sku", "missing SKU"),
    ('MUG 2!,mug,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "sku", "SKU must be"),
    ('MUG-2,mug,,Kitchen,,,,4.00,5,photos/mug.jpg,en', "name", "missing name"),
    ('MUG-2,mug,Mug,Kitchen,,material ceramic,,4.00,5,photos/mug.jpg,en', "attributes", "is not key=value"),
    ('MUG-2,mug,Mug,Kitchen,,,color,4.00,5,photos/mug.jpg,en', "options", "is not key=value"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,fr', "language", "unknown language"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00', "*", "has 8 fields but the header has 11"),
    # Numbers no database column holds: the row's error, never the whole file's rollback.
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,99999999999999999999999,photos/mug.jpg,en', "stock", "is over 10,000,000"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,' + "9" * 5000 + ',photos/mug.jpg,en', "stock", "is over 10,000,000"),
    ('MUG-2,mug,Mug,Kitchen,,,,99999999999999999999999,5,photos/mug.jpg,en', "cost", "too large an amount"),
    ('MUG-2,mug,Mug,Kitchen,,,,1e999999,5,photos/mug.jpg,en', "cost", "too large an amount"),
    ('MUG-2,mug,Mug,Kitchen,,,,20000000.00,5,photos/mug.jpg,en', "cost", "is over 10,000,000"),
    ('MUG-2,mug,Mug,Kitchen,,,,' + "x" * 140_000 + ',5,photos/mug.jpg,en', "*", "longer than 128 KiB"),
    ('MUG-2,mug,===,Kitchen,,,,4.00,5,photos/mug.jpg,en', "name", "only formula characters"),
    # Handles name folders: nothing that climbs out of assets/.
    ('MUG-2,../../../outside,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "product", "product handle must be"),
    ('MUG-2,mugs/big,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "product", "product handle must be"),
    ('MUG-2,.hidden,Mug,Kitchen,,,,4.00,5,photos/mug.jpg,en', "product", "product handle must be"),
    # Photos come from beside the catalog, not from anywhere on the machine.
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,5,../outside.jpg,en', "photos", "outside the catalog's folder"),
    ('MUG-2,mug,Mug,Kitchen,,,,4.00,5,/etc/hostname,en', "photos", "outside the catalog's folder"),
]


@pytest.mark.parametrize(("line", "column", "reason"), BAD_ROWS, ids=[r[2] for r in BAD_ROWS])
def test_bad_row_is_reported_and_good_row_kept(catalog_dir, line, column, reason):
    rows, errors, total = read_catalog(write_csv(catalog_dir, GOOD, line))
    assert [r.sku for r in rows] == ["MUG-1"]
    assert total == 2
    assert len(errors) == 1, errors
    assert (errors[0].row, errors[0].column) == (3, column)
    assert reason in errors[0].reason


def test_every_problem_of_a_row_is_reported(catalog_dir):
    _, errors, _ = read_catalog(write_csv(catalog_dir, 'X-1,x,,Kitchen,,,,-1,many,photos/none.jpg,en'))
    assert sorted(e.column for e in errors) == ["cost", "name", "photos", "stock"]


def test_unknown_column_is_reported_and_ignored(catalog_dir):
    path = write_csv(catalog_dir, GOOD + ",42", header=HEADER + ",colour_code")
    rows, errors, _ = read_catalog(path)
    assert [r.sku for r in rows] == ["MUG-1"]
    assert [(e.row, e.column) for e in errors] == [(1, "colour_code")]
    assert "unknown column" in errors[0].reason


def test_photo_link_out_of_the_folder_is_refused(catalog_dir, tmp_path):
    (catalog_dir / "photos" / "link.jpg").symlink_to(tmp_path / "outside.jpg")
    rows, errors, _ = read_catalog(write_csv(catalog_dir, GOOD, 'MUG-2,mug,Mug,Kitchen,,,,4.00,5,photos/link.jpg,en'))
    assert [r.sku for r in rows] == ["MUG-1"]
    assert [(e.row, e.column) for e in errors] == [(3, "photos")] and "outside" in errors[0].reason


@pytest.mark.parametrize(("name", "published"), [
    ("=cmd|' /C calc'!A0", "cmd|' /C calc'!A0"),
    ("+1 Mug", "1 Mug"),
    ("-Mug", "Mug"),
    ("@SUM(A1)", "SUM(A1)"),
    ('"\t=Mug"', "Mug"),
    ("= =Mug", "Mug"),
    ("Mug = good", "Mug = good"),
])
def test_formula_characters_are_taken_off_names(catalog_dir, name, published):
    rows, errors, _ = read_catalog(write_csv(catalog_dir, f"MUG-2,mug,{name},Kitchen,,,,4.00,5,,en"))
    assert errors == [] and [r.name for r in rows] == [published]


def test_unknown_encoding_is_a_file_error(catalog_dir):
    path = write_csv(catalog_dir, GOOD)
    for encoding in ("nope", "rot13"):
        with pytest.raises(CatalogFileError, match=f"unknown text encoding '{encoding}'; pass --encoding"):
            read_catalog(path, encoding=encoding)


def test_bad_encoding_is_reported_per_row(catalog_dir):
    path = catalog_dir / "latin1.csv"
    good = GOOD.encode()
    bad = 'CUP-1,cup,Caf\u00e9 cup,Kitchen,,,,3.00,4,photos/mug.jpg,en'.encode("latin-1")
    path.write_bytes(b"\n".join([HEADER.encode(), good, bad]) + b"\n")
    rows, errors, _ = read_catalog(path)
    assert [r.sku for r in rows] == ["MUG-1"]
    assert [(e.row, e.column) for e in errors] == [(3, "name")]
    assert "bad encoding" in errors[0].reason
    rows, errors, _ = read_catalog(path, encoding="latin-1")
    assert [r.name for r in rows] == ["Mug", "Caf\u00e9 cup"] and errors == []


def test_gb18030_catalog_with_encoding_option(catalog_dir):
    path = catalog_dir / "gbk.csv"
    line = 'ZH-1,zh-mug,陶瓷马克杯,厨房,,材质=陶瓷,,4.20,10,photos/mug.jpg,zh-CN'
    path.write_bytes(f"{HEADER}\n{line}\n".encode("gb18030"))
    rows, errors, _ = read_catalog(path, encoding="gb18030")
    assert errors == [] and rows[0].name == "陶瓷马克杯" and rows[0].attributes == {"材质": "陶瓷"}
    assert rows[0].language == "zh-CN"


@pytest.mark.parametrize(("content", "message"), [
    ("", "is empty"),
    ("sku,name,stock\nA,b,1\n", "lacks the required column(s) cost"),
])
def test_unusable_csv_file(catalog_dir, content, message):
    path = catalog_dir / "c.csv"
    path.write_text(content)
    with pytest.raises(CatalogFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_catalog(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.csv", None, "catalog file not found"),
    ("catalog.xlsx", "x", "unsupported catalog format"),
    ("bad.json", "{not json", "is not valid JSON"),
    ("obj.json", '{"a": 1}', "expected a JSON list"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nests lists or objects too deeply"),
])
def test_unusable_file(catalog_dir, name, content, message):
    path = catalog_dir / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(CatalogFileError, match=message):
        read_catalog(path)


def test_json_catalog(catalog_dir):
    items = [
        {"sku": "MUG-1", "product": "mug", "name": "Mug", "cost": "4.20", "stock": 10,
         "attributes": {"material": "ceramic"}, "options": {"color": "white"}, "photos": ["photos/mug.jpg"]},
        {"sku": "MUG-2", "product": "mug", "name": "Mug", "cost": -1, "stock": 3},
        {"sku": "MUG-3", "name": "Mug", "stock": 3},
        "not an object",
        {"sku": "MUG-4", "name": "Mug", "cost": 1, "stock": 3, "colour": "red"},
    ]
    path = catalog_dir / "catalog.json"
    path.write_text(json.dumps(items))
    rows, errors, total = read_catalog(path)
    assert [r.sku for r in rows] == ["MUG-1", "MUG-4"]
    assert rows[0].attributes == {"material": "ceramic"} and rows[0].cost_cents == 420
    assert total == 5
    assert sorted((e.row, e.column) for e in errors) == [(0, "colour"), (2, "cost"), (3, "cost"), (4, "*")]


def test_json_huge_whole_number_is_that_rows_error(catalog_dir):
    path = catalog_dir / "catalog.json"
    path.write_text('[{"sku": "MUG-1", "name": "Mug", "cost": 4, "stock": 10},'
                    '{"sku": "MUG-2", "name": "Mug", "cost": 4, "stock": ' + "9" * 5000 + '},'
                    '{"sku": "MUG-3", "name": "Mug", "cost": ' + "9" * 5000 + ', "stock": 1}]')
    rows, errors, _ = read_catalog(path)
    assert [(r.sku, r.cost_cents, r.stock) for r in rows] == [("MUG-1", 400, 10)]
    assert [(e.row, e.column) for e in errors] == [(2, "stock"), (3, "cost")]


def test_huge_number_does_not_roll_back_the_good_rows(engine, catalog_dir, workdir):
    path = write_csv(catalog_dir, GOOD, 'MUG-2,mug,Mug,Kitchen,,,,4.00,99999999999999999999999,photos/mug.jpg,en')
    with Session(engine) as session:
        report = import_catalog(session, path, workdir)
        session.commit()
    assert report.created == ["MUG-1"] and [e.column for e in report.errors] == ["stock"]
    with Session(engine) as session:
        assert session.exec(select(Variant.sku)).all() == ["MUG-1"]


def test_import_upserts_by_sku_and_reimport_changes_nothing(engine, catalog_dir, workdir):
    path = write_csv(
        catalog_dir,
        GOOD,
        'MUG-1-BLU,mug,Mug,Kitchen,A mug.,material=ceramic; capacity=350 ml,color=blue,4.20,3,photos/mug-blue.jpg|photos/mug.jpg,en',
        'BAD-1,bad,Bad,Kitchen,,,,-1,3,,en',
    )
    with Session(engine) as session:
        report = import_catalog(session, path, workdir)
        session.commit()
    assert report.created == ["MUG-1", "MUG-1-BLU"] and len(report.errors) == 1
    with Session(engine) as session:
        again = import_catalog(session, path, workdir)
        session.commit()
        assert again.created == [] and again.updated == []
        assert again.unchanged == ["MUG-1", "MUG-1-BLU"]
        assert len(session.exec(select(Product)).all()) == 1
        variants = {v.sku: v for v in session.exec(select(Variant))}
        assert variants["MUG-1"].cost_cents == 420 and variants["MUG-1-BLU"].options == {"color": "blue"}
        photos = session.exec(select(Asset).where(Asset.kind == "supplier_photo")).all()
        assert len(photos) == 3  # one on MUG-1, two on MUG-1-BLU
        assert all((workdir / a.path).is_file() and a.width == 64 for a in photos)

    # A changed stock is an update of that SKU only.
    path.write_text(path.read_text().replace("color=blue,4.20,3", "color=blue,4.20,7"))
    with Session(engine) as session:
        changed = import_catalog(session, path, workdir)
        session.commit()
        assert changed.updated == ["MUG-1-BLU"] and changed.unchanged == ["MUG-1"]
        assert session.exec(select(Variant).where(Variant.sku == "MUG-1-BLU")).one().stock == 7
