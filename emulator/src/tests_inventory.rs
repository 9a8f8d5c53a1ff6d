//! Loopback tests of inventory writes: an inventory item needs `QtyOnHand`, `InvStartDate` and
//! `AssetAccountRef` (2020 without them), and written invoices, sales receipts, expenses and
//! bills of a seeded inventory item move its stock, which the valuation reports and the balance
//! sheet's Inventory Asset follow.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_get, client, login, start};
use super::tests_writes::{code, post};
use super::*;

/// "Air Filter", a seeded inventory item.
const AIR_FILTER: &str = "3";

/// The valuation summary's (quantity, asset value) of `item` and its TOTAL asset value, and
/// the balance sheet's Inventory Asset, on `day`.
async fn stock_on(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    item: &str,
    day: &str,
) -> ((String, String), String, String) {
    let (status, _, summary) = api_get(
        emu,
        http,
        access,
        &format!("reports/InventoryValuationSummary?report_date={day}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let rows = summary["Rows"]["Row"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let row = rows
        .iter()
        .find(|r| r["ColData"][0]["id"] == item)
        .expect("the item's row");
    let text = |v: &Value| v["value"].as_str().unwrap_or_default().to_owned();
    let mine = (text(&row["ColData"][2]), text(&row["ColData"][3]));
    let total = rows
        .iter()
        .find(|r| r["group"] == "GrandTotal")
        .map(|r| text(&r["Summary"]["ColData"][3]))
        .expect("a TOTAL");
    let (status, _, sheet) = api_get(
        emu,
        http,
        access,
        &format!("reports/BalanceSheet?start_date=2022-01-01&end_date={day}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let mut found = String::new();
    let mut stack = vec![sheet["Rows"].clone()];
    while let Some(rows) = stack.pop() {
        for row in rows["Row"].as_array().into_iter().flatten() {
            if row["ColData"][0]["value"] == "Inventory Asset" {
                found = text(&row["ColData"][1]);
            }
            stack.push(row["Rows"].clone());
        }
    }
    (mine, total, found)
}

#[tokio::test]
async fn an_inventory_item_needs_its_quantity_start_date_and_asset_account() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let full = json!({
        "Name": "Flue Pipe", "Type": "Inventory", "TrackQtyOnHand": true,
        "QtyOnHand": 40, "InvStartDate": "2030-01-01",
        "IncomeAccountRef": {"value": "18"}, "ExpenseAccountRef": {"value": "20"},
        "AssetAccountRef": {"value": "7"}, "PurchaseCost": 12.5, "UnitPrice": 30
    });
    for missing in ["QtyOnHand", "InvStartDate", "AssetAccountRef"] {
        let mut body = full.clone();
        body.as_object_mut().map(|o| o.remove(missing));
        let (status, answer) = post(&emu, &http, &access, "item", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{missing}: {answer}");
        assert_eq!(code(&answer), "2020", "{missing}");
        assert!(answer.to_string().contains(missing), "{answer}");
    }
    let (status, answer) = post(&emu, &http, &access, "item", &full).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let item = &answer["Item"];
    assert_eq!(item["Type"], "Inventory");
    assert_eq!(item["TrackQtyOnHand"], true);
    assert_eq!(item["QtyOnHand"], 40);
    assert_eq!(item["InvStartDate"], "2030-01-01");
    assert_eq!(item["AssetAccountRef"]["name"], "Inventory Asset");
    let (status, _, read) = api_get(&emu, &http, &access, "item/3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["Item"]["Type"], "Inventory");
    assert_eq!(read["Item"]["AssetAccountRef"]["value"], "7");
    assert!(read["Item"]["QtyOnHand"].as_i64().is_some());
}

#[tokio::test]
async fn written_sales_and_purchases_move_the_stock_and_its_value() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let day = "2030-01-31";
    let ((qty, value), total, sheet) = stock_on(&emu, &http, &access, AIR_FILTER, day).await;
    assert_eq!(total, sheet);
    let qty: i64 = qty.parse().expect("units");
    let value: f64 = value.parse().expect("money");
    assert!(qty > 0);
    let unit = value / qty as f64;
    let sold = |n: i64| {
        json!({"DetailType": "SalesItemLineDetail", "Amount": n as f64 * 50.0,
               "SalesItemLineDetail": {"ItemRef": {"value": AIR_FILTER}, "Qty": n, "UnitPrice": 50}})
    };
    let invoice =
        json!({"TxnDate": "2030-01-10", "CustomerRef": {"value": "3"}, "Line": [sold(3)]});
    let (status, invoiced) = post(&emu, &http, &access, "invoice", &invoice).await;
    assert_eq!(status, StatusCode::OK, "{invoiced}");
    let receipt =
        json!({"TxnDate": "2030-01-11", "CustomerRef": {"value": "3"}, "Line": [sold(2)]});
    let (status, answer) = post(&emu, &http, &access, "salesreceipt", &receipt).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let bought = json!({"Amount": 10.0 * unit, "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": AIR_FILTER}, "Qty": 10, "UnitPrice": unit}});
    let bill = json!({"TxnDate": "2030-01-12", "VendorRef": {"value": "1"}, "Line": [bought]});
    let (status, answer) = post(&emu, &http, &access, "bill", &bill).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ((after, after_value), total, sheet) =
        stock_on(&emu, &http, &access, AIR_FILTER, day).await;
    assert_eq!(after.parse::<i64>().expect("units"), qty - 3 - 2 + 10);
    let after_value: f64 = after_value.parse().expect("money");
    assert!(
        (after_value - (value + 5.0 * unit)).abs() < 0.011,
        "{after_value}"
    );
    assert_eq!(
        total, sheet,
        "the valuation is the balance sheet's Inventory Asset"
    );

    // A voided invoice sells nothing.
    let void =
        json!({"Id": invoiced["Invoice"]["Id"], "SyncToken": invoiced["Invoice"]["SyncToken"]});
    let (status, answer) = post(&emu, &http, &access, "invoice?operation=void", &void).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ((voided, _), total, sheet) = stock_on(&emu, &http, &access, AIR_FILTER, day).await;
    assert_eq!(voided.parse::<i64>().expect("units"), qty - 2 + 10);
    assert_eq!(total, sheet);
}
