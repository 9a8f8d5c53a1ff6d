//! Page reading: the cells and raw forms give the same records, cells, cursors and row
//! counts as reading the whole page, for every shipped request.

use super::*;
use crate::spec::RequestSpec;
use serde_json::json;
use std::path::Path;

/// Records of each entity shaped as the emulator (and QBO) sends them, with the awkward cases:
/// a missing field, a null, nested refs, arrays indexed by the columns, escapes and unicode.
fn records_of(entity: &str) -> Vec<Value> {
    let meta = |n: u32| json!({"CreateTime": format!("2024-01-0{n}T10:00:00-07:00"), "LastUpdatedTime": format!("2024-02-0{n}T10:00:00-07:00")});
    let full = match entity {
        "Invoice" => json!({
            "AllowIPNPayment": false, "domain": "QBO", "sparse": false, "Id": "1", "SyncToken": "0",
            "MetaData": meta(1),
            "CustomField": [{"DefinitionId": "1", "Name": "PO Number", "Type": "StringType", "StringValue": "PO-1"}],
            "DocNumber": "1001", "TxnDate": "2024-01-01", "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "LinkedTxn": [], "Line": [{"Id": "1", "LineNum": 1, "Amount": 450.0, "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "3", "name": "Design"}, "UnitPrice": 150, "Qty": 3}}],
            "CustomerRef": {"value": "58", "name": "Harbor Point \"Dental\", Inc. \u{e9}\u{1F600}"},
            "DueDate": "2024-01-31", "TotalAmt": 554.46, "Balance": 0, "EmailStatus": "EmailSent"
        }),
        "Bill" => json!({
            "Id": "4", "SyncToken": "1", "MetaData": meta(2), "DocNumber": "B-4", "TxnDate": "2024-01-02",
            "DueDate": "2024-02-01", "VendorRef": {"value": "9", "name": "Pam's Plumbing"},
            "APAccountRef": {"value": "33", "name": "Accounts Payable (A/P)"}, "TotalAmt": 1e2, "Balance": 12.5,
            "Line": [{"Id": "1", "Amount": 100, "DetailType": "AccountBasedExpenseLineDetail"}]
        }),
        "Customer" => json!({
            "Taxable": true, "BillAddr": {"Id": "2", "Line1": "4581 Finch St.", "City": "Bayshore", "CountrySubDivisionCode": "CA"},
            "Job": false, "Balance": 239.0, "domain": "QBO", "Id": "1", "SyncToken": "0", "MetaData": meta(3),
            "GivenName": "Amy", "FamilyName": "Lauterbach", "CompanyName": "Amy's Bird Sanctuary",
            "DisplayName": "Amy's Bird Sanctuary", "PrimaryPhone": {"FreeFormNumber": "(650) 555-3311"},
            "PrimaryEmailAddr": {"Address": "Birds@Intuit.com"}, "Active": true
        }),
        "Vendor" => json!({
            "Balance": 0, "Vendor1099": false, "Id": "30", "SyncToken": "0", "MetaData": meta(4),
            "CompanyName": "Books by Bessie", "DisplayName": "Books by Bessie",
            "PrimaryPhone": {"FreeFormNumber": "(650) 555-7745"}, "PrimaryEmailAddr": {"Address": "Books@Intuit.com"}, "Active": true
        }),
        "Account" => json!({
            "Name": "Checking", "SubAccount": false, "FullyQualifiedName": "Checking", "Active": true,
            "Classification": "Asset", "AccountType": "Bank", "AccountSubType": "Checking",
            "CurrentBalance": -1201.0, "Id": "35", "SyncToken": "0", "MetaData": meta(5)
        }),
        "Item" => json!({
            "Name": "Design", "Active": true, "FullyQualifiedName": "Design", "Taxable": false, "UnitPrice": 75,
            "Type": "Service", "IncomeAccountRef": {"value": "82", "name": "Design income"},
            "Id": "4", "SyncToken": "0", "MetaData": meta(6)
        }),
        "Payment" => json!({
            "CustomerRef": {"value": "20", "name": "Red Rock Diner"}, "DepositToAccountRef": {"value": "4", "name": "Undeposited Funds"},
            "TotalAmt": 160.0, "UnappliedAmt": 0, "ProcessPayment": false, "Id": "7", "SyncToken": "0",
            "MetaData": meta(7), "TxnDate": "2024-01-07",
            "Line": [{"Amount": 160.0, "LinkedTxn": [{"TxnId": "75", "TxnType": "Invoice"}, {"TxnId": "76", "TxnType": "Invoice"}]}]
        }),
        _ => json!({"Id": "1"}),
    };
    let mut missing = full.clone();
    let mut nulls = full.clone();
    let mut odd = full.clone();
    if let (Value::Object(missing), Value::Object(nulls), Value::Object(odd)) =
        (&mut missing, &mut nulls, &mut odd)
    {
        // Every other field gone; every ref made null; arrays empty or of the wrong type.
        let keys: Vec<String> = missing.keys().cloned().collect();
        for key in keys.iter().step_by(2) {
            missing.shift_remove(key);
        }
        for value in nulls.values_mut() {
            if value.is_object() || value.is_string() {
                *value = Value::Null;
            }
        }
        for (at, value) in odd.values_mut().enumerate() {
            match value {
                Value::Array(items) if at % 2 == 0 => items.clear(),
                Value::Array(_) => *value = json!({"0": "not an array"}),
                Value::Object(_) => *value = json!([1, 2]),
                _ => {}
            }
        }
        if let Some(Value::Array(lines)) = odd.get_mut("Line") {
            lines.push(json!({"LinkedTxn": "x"}));
        }
    }
    vec![
        full,
        missing,
        nulls,
        odd,
        json!({}),
        json!(["not", "an", "object"]),
        json!(null),
    ]
}

/// A query page as the emulator writes it: compact, `QueryResponse` first.
fn page_of(entity: &str, records: &[Value]) -> String {
    json!({
        "QueryResponse": {entity: records, "startPosition": 1, "maxResults": records.len()},
        "time": "2024-03-01T10:00:00.000-07:00"
    })
    .to_string()
}

fn read(plan: &PagePlan, body: &str) -> Page {
    match plan.read(bytes::Bytes::copy_from_slice(body.as_bytes())) {
        Ok(page) => page,
        Err(e) => panic!("{body}: {e}"),
    }
}

/// What a sink sees: for each record, the CSV cell of each path before `cursor_at`, and what
/// the cursor at the path from `cursor_at` on (if any) reads of it; and the raw text if any.
struct Seen<'a> {
    columns: &'a [JsonPath],
    cursor: Option<&'a JsonPath>,
    cells: Vec<Vec<String>>,
    cursors: Vec<Option<CursorRead>>,
    raw: Vec<String>,
}

/// Everything a sink saw.
type Sight = (u64, Vec<Vec<String>>, Vec<Option<CursorRead>>, Vec<String>);

fn texts(row: crate::output::CellRow<'_>) -> Vec<String> {
    row.cells()
        .map(|cell| String::from_utf8_lossy(cell).into_owned())
        .collect()
}

impl Seen<'_> {
    fn whole(&mut self, record: &Value) {
        let mut row = CellRows::new(self.columns.len());
        row.push(self.columns, record);
        self.cells.extend(row.rows().map(texts));
        self.cursors
            .push(self.cursor.map(|path| CursorRead::of(path, record)));
    }
}

impl RecordSink for Seen<'_> {
    fn record(&mut self, record: &Value) -> Result<(), Error> {
        self.whole(record);
        Ok(())
    }

    fn raw_record(&mut self, raw: &str, read: Option<&CursorRead>) -> Result<(), Error> {
        self.raw.push(raw.to_owned());
        let record: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        self.whole(&record);
        if self.cursor.is_some()
            && let Some(last) = self.cursors.last_mut()
        {
            *last = read.cloned();
        }
        Ok(())
    }

    fn cells(
        &mut self,
        row: crate::output::CellRow<'_>,
        read: Option<&CursorRead>,
    ) -> Result<(), Error> {
        self.cells.push(texts(row));
        self.cursors.push(self.cursor.and(read.cloned()));
        Ok(())
    }
}

fn seen(plan: &PagePlan, page: &Page, paths: &[JsonPath], cursor_at: usize) -> Sight {
    let mut sink = Seen {
        columns: &paths[..cursor_at.min(paths.len())],
        cursor: paths.get(cursor_at),
        cells: Vec::new(),
        cursors: Vec::new(),
        raw: Vec::new(),
    };
    let written = page.write(plan, &mut sink).unwrap_or(u64::MAX);
    assert_eq!(written as usize, sink.cells.len());
    assert_eq!(written as usize, sink.cursors.len());
    (page.rows(), sink.cells, sink.cursors, sink.raw)
}

fn path(source: &str) -> JsonPath {
    JsonPath::parse(source).unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn column(path_text: &str) -> Column {
    Column {
        name: path_text.to_owned(),
        path: path(path_text),
    }
}

#[test]
fn projection_gives_the_cells_of_the_whole_record_for_every_shipped_request() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let file = entry.path();
        if file.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let request =
            RequestSpec::load(&file).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let Some(crate::extract::QueryRows::Entity(entity)) = request.records.query_rows() else {
            continue;
        };
        let cursor = request.incremental.as_ref().map(|i| &i.cursor);
        let columns: Vec<Column> = match &request.columns {
            Some(columns) => columns
                .iter()
                .map(|(name, path)| Column {
                    name: name.clone(),
                    path: path.clone(),
                })
                .collect(),
            // A request without columns: check its cursor (and its id) as if they were columns.
            None => ["$.Id", "$.MetaData.LastUpdatedTime"]
                .iter()
                .map(|p| column(p))
                .collect(),
        };
        let mut paths: Vec<JsonPath> = columns.iter().map(|c| c.path.clone()).collect();
        paths.extend(cursor.cloned());
        let records = records_of(entity);
        let body = page_of(entity, &records);
        let whole_plan = PagePlan::whole(&request.records);
        let cursor_at = columns.len();
        let expected = seen(&whole_plan, &read(&whole_plan, &body), &paths, cursor_at);
        assert_eq!(expected.0, records.len() as u64);
        assert_eq!(expected.1.len(), records.len());
        for format in [Format::Csv, Format::Jsonl] {
            let plan = PagePlan::new(&request.records, format, Some(&columns), cursor);
            assert!(
                !matches!(plan.form, Form::Whole),
                "{}: {format}",
                file.display()
            );
            let got = seen(&plan, &read(&plan, &body), &paths, cursor_at);
            assert_eq!(got.0, expected.0, "{} {format}: rows", file.display());
            assert_eq!(got.1, expected.1, "{} {format}: cells", file.display());
            assert_eq!(got.2, expected.2, "{} {format}: cursor", file.display());
            if format == Format::Jsonl {
                let texts: Vec<String> = records.iter().map(Value::to_string).collect();
                assert_eq!(got.3, texts, "{}: raw text", file.display());
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} request files checked");
}

#[test]
fn array_indexes_missing_fields_and_nulls_project_like_the_whole_record() {
    let records = records_of("Payment");
    let body = page_of("Payment", &records);
    let records_path = path("$.QueryResponse.Payment[*]");
    let columns: Vec<Column> = [
        "$.Line[0].LinkedTxn[0].TxnId",
        "$.Line[0].LinkedTxn[1].TxnType",
        "$.Line[1].LinkedTxn",
        "$.Line[-1].Amount",
        "$.CustomerRef.name",
        "$.CustomerRef",
        "$.Missing.deeper",
        "$.TotalAmt",
        "$.Line[0].LinkedTxn[?(@.TxnType == 'Invoice')].TxnId",
    ]
    .iter()
    .map(|p| column(p))
    .collect();
    let paths: Vec<JsonPath> = columns.iter().map(|c| c.path.clone()).collect();
    let whole_plan = PagePlan::whole(&records_path);
    let plan = PagePlan::new(&records_path, Format::Csv, Some(&columns), None);
    let expected = seen(&whole_plan, &read(&whole_plan, &body), &paths, paths.len());
    assert_eq!(
        seen(&plan, &read(&plan, &body), &paths, paths.len()),
        expected
    );
    assert_eq!(expected.1[0][0], "75");
}

#[test]
fn plans_choose_the_cheap_form_only_when_it_is_exact() {
    let entity = path("$.QueryResponse.Invoice[*]");
    let every = path("$.QueryResponse.*[*]");
    let filtered = path("$.QueryResponse.Invoice[?(@.Id)]");
    let plain = [column("$.Id")];
    let deep = [column("$..Id")];
    let root = [column("$")];
    let form =
        |records: &JsonPath, format, columns: Option<&[Column]>, cursor: Option<&JsonPath>| {
            match PagePlan::new(records, format, columns, cursor).form {
                Form::Whole => "whole",
                Form::Cells { .. } => "cells",
                Form::Raw { .. } => "raw",
            }
        };
    assert_eq!(form(&entity, Format::Csv, Some(&plain), None), "cells");
    assert_eq!(form(&every, Format::Csv, Some(&plain), None), "cells");
    assert_eq!(form(&filtered, Format::Csv, Some(&plain), None), "whole");
    assert_eq!(form(&entity, Format::Csv, Some(&deep), None), "whole");
    assert_eq!(form(&entity, Format::Csv, Some(&root), None), "whole");
    assert_eq!(
        form(&entity, Format::Csv, Some(&plain), Some(&path("$..x"))),
        "whole"
    );
    assert_eq!(form(&entity, Format::Csv, None, None), "raw");
    assert_eq!(form(&entity, Format::Json, Some(&plain), None), "raw");
    assert_eq!(form(&filtered, Format::Json, None, None), "whole");
    assert_eq!(form(&entity, Format::Jsonl, None, None), "raw");
    assert_eq!(
        form(
            &entity,
            Format::Jsonl,
            None,
            Some(&path("$.MetaData.LastUpdatedTime"))
        ),
        "raw"
    );
    assert_eq!(
        form(&entity, Format::Jsonl, None, Some(&path("$..x"))),
        "whole"
    );
    assert_eq!(
        form(&path("$.CompanyInfo"), Format::Jsonl, None, None),
        "whole"
    );
}

#[test]
fn pages_off_the_plain_shape_are_read_whole_with_the_same_result() {
    let columns = [column("$.Id"), column("$.a")];
    let paths: Vec<JsonPath> = columns.iter().map(|c| c.path.clone()).collect();
    let bodies = [
        r#"{"QueryResponse":{}}"#,
        r#"{"QueryResponse":{},"time":"x"}"#,
        r#"{"time":"x"}"#,
        r#"{"QueryResponse":null}"#,
        r#"{"QueryResponse":[[{"Id":"1"}]]}"#,
        r#"{"QueryResponse":{"Invoice":{"a":{"Id":"1"}}}}"#,
        r#"{"QueryResponse":{"Invoice":[{"Id":"1"}],"Invoice":[{"Id":"2"},{"Id":"3"}]}}"#,
        r#"{"QueryResponse":{"Invoice":[{"Id":"1"}]},"QueryResponse":{"Invoice":[{"Id":"2"}]}}"#,
        r#"{"QueryResponse":{"Customer":[1,2,3],"Invoice":[{"Id":"1"}],"x":3,"y":null,"z":"s"}}"#,
        r#"{"QueryResponse":{"Invoice":[{"Id":"1","a":{"b":[1]}},{"Id":"2"}],"maxResults":2},"time":"t"}"#,
        r#"  {"QueryResponse" : { "Invoice" : [ {"Id" : "1"} ,
             {"Id":"2", "a": "x\ny"} ] } }  "#,
        r#"{"QueryRe\u0073ponse":{"Invoice":[{"\u0049d":"1"}]}}"#,
        r#"[1,2]"#,
        r#""text""#,
    ];
    for records in ["$.QueryResponse.Invoice[*]", "$.QueryResponse.*[*]"] {
        let records = path(records);
        let whole_plan = PagePlan::whole(&records);
        for body in bodies {
            let expected = seen(&whole_plan, &read(&whole_plan, body), &paths, paths.len());
            for format in [Format::Csv, Format::Jsonl] {
                let plan = PagePlan::new(&records, format, Some(&columns), None);
                let got = seen(&plan, &read(&plan, body), &paths, paths.len());
                assert_eq!(got.0, expected.0, "{records} {format} rows of {body}");
                assert_eq!(got.1, expected.1, "{records} {format} cells of {body}");
            }
        }
    }
}

#[test]
fn malformed_pages_fail_with_the_whole_parse_error() {
    let records = path("$.QueryResponse.Invoice[*]");
    let whole_plan = PagePlan::whole(&records);
    let columns = [column("$.Id")];
    for body in [
        &br#"{"QueryResponse":{"Invoice":[{"Id":"1"},]}}"#[..],
        br#"{"QueryResponse":{"Invoice":[{"Id":"1"}]}} x"#,
        b"<html>",
        b"",
        b"{\"QueryResponse\":{\"Invoice\":[{\"Id\":\"\xff\"}]}}",
    ] {
        let expected = whole_plan
            .read(bytes::Bytes::copy_from_slice(body))
            .err()
            .map(|e| e.to_string());
        assert!(expected.is_some());
        for format in [Format::Csv, Format::Jsonl] {
            let plan = PagePlan::new(&records, format, Some(&columns), None);
            let got = plan
                .read(bytes::Bytes::copy_from_slice(body))
                .err()
                .map(|e| e.to_string());
            assert_eq!(got, expected, "{format}");
        }
    }
}

#[test]
fn counts_rows_of_the_entity_array() {
    let page =
        json!({"QueryResponse": {"Invoice": [{}, {}, {}], "startPosition": 1, "maxResults": 3}});
    assert_eq!(page_rows(&page), 3);
    assert_eq!(page_rows(&json!({"QueryResponse": {}})), 0);
    assert_eq!(page_rows(&json!({"Invoice": {}})), 0);
}

#[test]
fn every_form_gives_the_same_keys_and_drops_the_same_records() {
    let records = records_of("Invoice");
    let body = page_of("Invoice", &records);
    let rows = path("$.QueryResponse.Invoice[*]");
    let doc = [path("$.DocNumber")];
    let columns = [column("$.DocNumber")];
    let plans = [
        PagePlan::whole(&rows),
        PagePlan::new(&rows, Format::Csv, Some(&columns), None),
        PagePlan::new(&rows, Format::Jsonl, None, None),
        // A filtering records path is read whole and filtered in the page's entity array.
        PagePlan::new(
            &path("$.QueryResponse.Invoice[?(@.TotalAmt)]"),
            Format::Json,
            None,
            None,
        ),
    ];
    let expected: Vec<RowKey> = records.iter().map(RowKey::of).collect();
    assert!(
        expected
            .iter()
            .any(|k| k.id.is_some() && k.sync_token.is_some())
    );
    let keep: Vec<bool> = (0..records.len()).map(|at| at % 2 == 1).collect();
    let mut kept_by_form = Vec::new();
    for plan in &plans {
        let mut page = read(plan, &body);
        assert_eq!(page.keys(), expected.as_slice(), "{plan}");
        page.retain(&keep);
        assert_eq!(
            page.rows(),
            records.len() as u64,
            "the server's row count stays"
        );
        let kept: Vec<RowKey> = expected
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(key, _)| key.clone())
            .collect();
        assert_eq!(page.keys(), kept.as_slice(), "{plan}");
        let (_, cells, _, _) = seen(plan, &page, &doc, 1);
        kept_by_form.push(cells);
    }
    // The filtering path selects only records with an amount; the other forms select all kept.
    assert_eq!(kept_by_form[0], kept_by_form[1]);
    assert_eq!(kept_by_form[0], kept_by_form[2]);
    assert!(kept_by_form[3].len() <= kept_by_form[0].len());
    assert!(
        kept_by_form[3]
            .iter()
            .all(|cells| kept_by_form[0].contains(cells))
    );
}

/// `body` fed to a reader of `plan` in the pieces `cuts` makes (ascending offsets); `None` when
/// the reader found it not a plain page.
fn read_in_pieces(plan: &Arc<PagePlan>, body: &[u8], cuts: &[usize]) -> Option<Page> {
    let mut reader = plan.reader();
    let mut from = 0;
    for &cut in cuts.iter().chain([body.len()].iter()) {
        let cut = cut.clamp(from, body.len());
        if !reader.feed(&body[from..cut]) {
            return None;
        }
        from = cut;
    }
    match reader.finish() {
        Ok(page) => Some(page),
        Err(Unread::NotPlain) => None,
        Err(Unread::NotJson(error)) => panic!("not JSON: {error}"),
    }
}

/// Plain pages of every shipped entity's records, compact and spaced out, with scalars last in
/// `QueryResponse` (a number cut by a chunk boundary) and escapes cut mid-way.
fn plain_bodies() -> Vec<String> {
    let mut bodies = Vec::new();
    for entity in ["Invoice", "Bill", "Customer"] {
        let records = records_of(entity);
        bodies.push(page_of(entity, &records));
        let spaced = serde_json::to_string_pretty(&json!({
            "QueryResponse": {entity: records, "maxResults": 12345},
        }))
        .unwrap_or_default();
        bodies.push(spaced);
    }
    bodies.push(
        r#"{"time":"t\"x","QueryResponse":{"startPosition":1,"Invoice":[{"Id":"1","a":"\\"},{"Id":"2","a":"\u00e9]}"}],"maxResults":-2.5e3}}"#
            .to_owned(),
    );
    bodies.push(r#"{"QueryResponse":{"Invoice":[]}}"#.to_owned());
    bodies
}

#[test]
fn a_page_cut_anywhere_in_two_reads_like_the_page_in_one_piece() {
    let columns = [column("$.Id"), column("$.DocNumber"), column("$.a")];
    let paths: Vec<JsonPath> = columns.iter().map(|c| c.path.clone()).collect();
    for records in ["$.QueryResponse.Invoice[*]", "$.QueryResponse.*[*]"] {
        let records = path(records);
        for format in [Format::Csv, Format::Jsonl] {
            let plan = Arc::new(PagePlan::new(&records, format, Some(&columns), None));
            for body in plain_bodies() {
                let body = body.as_bytes();
                let expected = one_piece(&plan, body, &paths);
                for cut in 0..=body.len() {
                    let page = read_in_pieces(&plan, body, &[cut]).unwrap_or_else(|| {
                        panic!("{format}: a plain page fell back to the whole route at {cut}")
                    });
                    assert_eq!(
                        seen(&plan, &page, &paths, paths.len()),
                        expected,
                        "{format} {records}: cut at {cut}"
                    );
                }
                let byte_by_byte: Vec<usize> = (0..body.len()).collect();
                let page = read_in_pieces(&plan, body, &byte_by_byte).expect("plain page");
                assert_eq!(seen(&plan, &page, &paths, paths.len()), expected);
            }
        }
    }
}

#[test]
fn pages_off_the_plain_shape_are_not_taken_for_plain_ones_in_pieces() {
    let columns = [column("$.Id")];
    let records = path("$.QueryResponse.Invoice[*]");
    let plan = Arc::new(PagePlan::new(&records, Format::Jsonl, Some(&columns), None));
    for body in [
        &br#"{"QueryResponse":{"Invoice":[{"Id":"1"}],"Invoice":[{"Id":"2"}]}}"#[..],
        br#"{"QueryResponse":{"Invoice":[{"Id":"1"}]},"QueryResponse":{}}"#,
        br#"{"QueryResponse":{"Invoice":{"a":{"Id":"1"}}}}"#,
        br#"{"QueryResponse":{"Invoice":[{"Id":"1"},]}}"#,
        br#"{"QueryResponse":{"Invoice":[{"Id":"1"}]}} x"#,
        br#"{"QueryResponse":{"Invoice":[{"Id":"1"}"#,
        br#"{"QueryResponse":{"Invoice":[{"Id":1x}]}}"#,
        b"[1]",
        b"",
        b"{\"QueryResponse\":{\"Invoice\":[{\"Id\":\"\xff\"}]}}",
    ] {
        for cut in 0..=body.len() {
            assert!(
                read_in_pieces(&plan, body, &[cut]).is_none(),
                "{}: cut at {cut}",
                String::from_utf8_lossy(body)
            );
        }
    }
}

/// What the sink sees of `body` read in one piece by `plan`, checked to have the rows and
/// cells of the whole page.
fn one_piece(plan: &Arc<PagePlan>, body: &[u8], paths: &[JsonPath]) -> Sight {
    let page = read_in_pieces(plan, body, &[]).expect("a plain page");
    let got = seen(plan, &page, paths, paths.len());
    let whole_page = plan
        .read_whole(body)
        .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(body)));
    let whole_plan = PagePlan::whole(plan.records());
    let whole = seen(&whole_plan, &whole_page, paths, paths.len());
    assert_eq!((got.0, &got.1), (whole.0, &whole.1));
    got
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any chunking of a plain page gives the records of the page in one piece.
    #[test]
    fn any_chunking_reads_like_one_piece(
        cuts in proptest::collection::vec(0usize..4000, 0..40),
        which in 0usize..8,
        jsonl in proptest::bool::ANY,
    ) {
        let columns = [column("$.Id"), column("$.CustomerRef.name"), column("$.Line[0].Amount")];
        let paths: Vec<JsonPath> = columns.iter().map(|c| c.path.clone()).collect();
        let bodies = plain_bodies();
        let body = bodies[which % bodies.len()].as_bytes();
        let format = if jsonl { Format::Jsonl } else { Format::Csv };
        let plan = Arc::new(PagePlan::new(&path("$.QueryResponse.*[*]"), format, Some(&columns), None));
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        let page = read_in_pieces(&plan, body, &cuts);
        proptest::prop_assert!(page.is_some());
        let expected = one_piece(&plan, body, &paths);
        proptest::prop_assert_eq!(seen(&plan, &page.expect("page"), &paths, paths.len()), expected);
    }
}
