"""Reading the files people have: CSV in UTF-8, UTF-8 with BOM, GBK and GB18030; Excel; Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tierwise
from tierwise.io import detect_encoding, read_excel, write_table

STANDARD = """tierwise: 1
id: enc
name: 编码
version: "1"
grades: [大客户, 小客户]
population: "region == '华东'"
indicators:
  sales: {from: transactions, agg: sum(amount)}
grade: {ladder: {on: sales, steps: [{grade: 大客户, at_least: 1万}, {grade: 小客户}]}}
"""
CUSTOMERS = "customer_id,name,region\n1,华东精密制造有限公司,华东\n2,蓝天航空服务,华北\n3,江南纺织集团,华东\n"
TRANSACTIONS = "customer_id,date,amount\n1,2026-01-05,12000.5\n3,2026-02-01,300\n"


def _folder(tmp_path: Path, encoding: str) -> Path:
    data = tmp_path / encoding
    data.mkdir()
    (data / "customers.csv").write_bytes(CUSTOMERS.encode(encoding))
    (data / "transactions.csv").write_text(TRANSACTIONS, encoding="utf-8")
    (tmp_path / "enc.yaml").write_text(STANDARD, encoding="utf-8")
    return data


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_customers_csv_in_every_common_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    data = _folder(tmp_path, encoding)
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}[encoding]
    assert detect_encoding(data / "customers.csv") == expected
    df = tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31").to_pandas()
    assert dict(zip(df["customer_id"], df["grade"], strict=True)) == {"1": "大客户", "3": "小客户"}


def test_gbk_character_deep_in_a_large_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"customer_id,name\n" + b"1,abc\n" * 300_000 + "2,张伟\n".encode("gbk"))
    assert detect_encoding(path) == "gb18030"


def test_file_in_neither_utf8_nor_gbk_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"customer_id\n\x81\x20\xff\xfe\n")
    with pytest.raises(ValueError, match="is not UTF-8, GBK/GB18030, Big5 or UTF-16 text"):
        detect_encoding(path)


def test_excel_and_parquet_tables_read_with_types(tmp_path: Path) -> None:
    import datetime as dt

    import xlsxwriter

    data = tmp_path / "data"
    data.mkdir()
    book = xlsxwriter.Workbook(str(data / "customers.xlsx"))
    sheet = book.add_worksheet("客户")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(["customer_id", "name", "region", "created_at"]):
        sheet.write(0, col, name)
    for row, (cid, name, region, created) in enumerate(
        [
            (1, "华东精密", "华东", dt.date(2020, 1, 1)),
            (2, "蓝天航空", "华北", dt.date(2021, 5, 6)),
            (3, "江南纺织", "华东", None),
        ],
        start=1,
    ):
        sheet.write_number(row, 0, cid)
        sheet.write(row, 1, name)
        sheet.write(row, 2, region)
        if created:
            sheet.write_datetime(row, 3, dt.datetime.combine(created, dt.time()), date_format)
    book.close()
    table = read_excel(data / "customers.xlsx")
    assert table.column("customer_id").to_pylist() == [1, 2, 3]
    assert table.column("created_at").type == pa.date32()
    pq.write_table(
        pa.table(
            {"customer_id": [1, 3], "date": [dt.date(2026, 1, 5), dt.date(2026, 2, 1)], "amount": [12000.5, 300.0]}
        ),
        data / "transactions.parquet",
    )
    (tmp_path / "enc.yaml").write_text(STANDARD, encoding="utf-8")
    df = tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31").to_pandas()
    assert dict(zip(df["customer_id"], df["grade"], strict=True)) == {"1": "大客户", "3": "小客户"}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "has no .csv, .parquet, .xlsx or .xls files"),
        ({"customers.csv": "id,name\n1,x\n"}, "has no 'customer_id' column"),
        ({"customers.csv": "customer_id\n1\n", "customers.parquet": None}, "two files for the table 'customers'"),
        ({"客户.csv": "customer_id\n1\n"}, "must be named after its table"),
    ],
)
def test_bad_data_folders_are_refused_with_a_sentence(
    tmp_path: Path, files: dict[str, str | None], message: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name, text in files.items():
        if text is None:
            pq.write_table(pa.table({"customer_id": ["1"]}), data / name)
        else:
            (data / name).write_text(text, encoding="utf-8")
    (tmp_path / "enc.yaml").write_text(STANDARD, encoding="utf-8")
    with pytest.raises(tierwise.DataError, match=message):
        tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31")


def test_missing_table_is_a_located_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "enc.yaml").write_text(STANDARD, encoding="utf-8")
    with pytest.raises(tierwise.StandardError, match=r"enc.yaml:8: Indicator 'sales' reads the table 'transactions'"):
        tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31")


def test_unknown_column_suggests_the_closest(tmp_path: Path) -> None:
    data = _folder(tmp_path, "utf-8")
    (tmp_path / "enc.yaml").write_text(STANDARD.replace("region ==", "regoin =="), encoding="utf-8")
    with pytest.raises(tierwise.StandardError, match=r"enc.yaml:6: .*Unknown name 'regoin'.*Did you mean 'region'\?"):
        tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_results_written_in_each_format_read_back_the_same(tmp_path: Path, suffix: str) -> None:
    data = _folder(tmp_path, "gbk")
    result = tierwise.evaluate(tmp_path / "enc.yaml", data, "2026-03-31")
    path = result.write(tmp_path / f"out{suffix}")
    if suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Chinese
        import pyarrow.csv as pcsv

        back = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={"customer_id": pa.string()}))
    elif suffix == ".parquet":
        back = pq.read_table(path)
    else:
        back = read_excel(path, sheet="enc")
    assert back.column("grade").to_pylist() == result.to_arrow().column("grade").to_pylist()
    assert [str(x) for x in back.column("customer_id").to_pylist()] == ["1", "3"]
    assert back.column("reason").to_pylist()[0] == "sales = 12,000.5 ≥ 1万 → 大客户"


def test_unknown_output_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in .csv, .parquet or .xlsx"):
        write_table(pa.table({"a": [1]}), tmp_path / "out.json")
