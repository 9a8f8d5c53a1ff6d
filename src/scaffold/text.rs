//! The text of the files `qbo-run new` writes: commented, with the modeline of their schema,
//! and written so that they pass `check` and run as they are.

use super::catalog::{EntityInfo, ReportInfo};
use crate::output::Format;
use crate::spec::Environment;

/// What a new request file asks QBO for.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The records of an entity, paged.
    Entity(&'static EntityInfo),
    /// A report's tidy rows.
    Report(&'static ReportInfo),
}

/// What `qbo-run new request` was asked for.
#[derive(Debug, Clone)]
pub struct RequestScaffold {
    /// The file's stem.
    pub name: String,
    /// An entity or a report.
    pub source: Source,
    /// Resume after the last successful run (entities only).
    pub incremental: bool,
    /// The file's output format.
    pub format: Format,
    /// The connection the file names.
    pub connection: String,
}

/// A YAML double-quoted scalar (JSON's string syntax is YAML's).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

const REQUEST_MODELINE: &str = "# yaml-language-server: $schema=../schemas/request.schema.json\n";
const CONNECTION_MODELINE: &str =
    "# yaml-language-server: $schema=../schemas/connection.schema.json\n";

/// The text of a new request file.
pub fn request_text(scaffold: &RequestScaffold) -> String {
    let mut out = String::from(REQUEST_MODELINE);
    let name = &scaffold.name;
    out.push_str(&format!(
        "# Made by `qbo-run new request`. Check it with `qbo-run check requests/{name}.yaml`, see the\n\
         # calls it would make with `--dry-run`, and run it with `qbo-run requests/{name}.yaml`.\n\
         # Every key is described in schemas/request.schema.json (and README.md, \"Request file\").\n"
    ));
    match scaffold.source {
        Source::Entity(entity) => entity_body(&mut out, scaffold, entity),
        Source::Report(report) => report_body(&mut out, scaffold, report),
    }
    out.push_str(&format!(
        "output:\n  format: {}\n",
        scaffold.format.as_str()
    ));
    if scaffold.format == Format::Csv {
        out.push_str(
            "  # Without columns every field is a column (nested ones dotted: CustomerRef.name).\n  \
             # To choose them, `name: JSONPath` each, in order:\n",
        );
        match scaffold.source {
            Source::Entity(_) => out.push_str(
                "  # columns:\n  #   id: $.Id\n  #   updated: $.MetaData.LastUpdatedTime\n",
            ),
            Source::Report(_) => out.push_str(
                "  # columns:\n  #   section: $.section\n  #   account: $.account\n  #   total: $.Total\n",
            ),
        }
    }
    out
}

fn connection_line(out: &mut String, connection: &str) {
    out.push_str(&format!(
        "# A connection name (connections/NAME.yaml) or a path; --connection NAME overrides it.\nconnection: {}\n",
        quoted(connection)
    ));
}

fn entity_body(out: &mut String, scaffold: &RequestScaffold, entity: &EntityInfo) {
    let name = entity.name;
    let changed = if entity.by_update_time {
        " changed on or after a time"
    } else {
        ""
    };
    let description = if entity.name_list {
        format!("{}, active and inactive{changed}", entity.what)
    } else {
        format!("{}{changed}", entity.what)
    };
    out.push_str(&format!("description: {}\n", quoted(&description)));
    connection_line(out, &scaffold.connection);
    if entity.by_update_time {
        out.push_str(
            "vars:\n  since:\n    default: \"2000-01-01\"\n    description: lower bound on Metadata.LastUpdatedTime (YYYY-MM-DD or an ISO-8601 time)\n",
        );
    }
    out.push_str("method: GET\npath: /v3/company/{{ realm_id }}/query\nparams:\n");
    if entity.name_list {
        out.push_str(&format!(
            "  # {name} is a name list: QBO answers only active records unless the WHERE mentions\n  \
             # Active, so this asks for both (drop `Active IN (true, false)` for active ones).\n"
        ));
    }
    if entity.by_update_time {
        let active = if entity.name_list {
            "Active IN (true, false) AND "
        } else {
            ""
        };
        out.push_str(&format!(
            "  # Values are escaped as the inside of a QBO string literal ('{{{{ since }}}}' is safe).\n  \
             query: >-\n    select * from {name}\n    where {active}Metadata.LastUpdatedTime >= '{{{{ since }}}}'\n    orderby Metadata.LastUpdatedTime\n"
        ));
    } else {
        let active = if entity.name_list {
            " where Active IN (true, false)"
        } else {
            ""
        };
        out.push_str(&format!(
            "  # QBO does not filter {name} on MetaData.LastUpdatedTime (a 4001 Fault): this reads\n  \
             # them all, every run.\n  \
             query: select * from {name}{active} orderby Id\n"
        ));
    }
    out.push_str(
        "# qbo-run adds STARTPOSITION and MAXRESULTS to each page, and Id as the last ORDERBY key.\n\
         paginate:\n  style: qbo-query\n  page_size: 1000\n",
    );
    out.push_str(&format!("records: $.QueryResponse.{name}[*]\n"));
    if scaffold.incremental {
        out.push_str(
            "# Each successful run saves the newest LastUpdatedTime it wrote; the next one asks from\n\
             # there (as `since`), skipping the records already written at that second.\n\
             incremental:\n  cursor: $.MetaData.LastUpdatedTime\n  var: since\n",
        );
    }
}

fn report_body(out: &mut String, scaffold: &RequestScaffold, report: &ReportInfo) {
    let name = report.name;
    out.push_str(&format!(
        "description: {}\n",
        quoted(&format!(
            "{} ({name} report), one row per line",
            report.what
        ))
    ));
    connection_line(out, &scaffold.connection);
    if report.dated || !report.params.is_empty() {
        out.push_str(
            "# A variable whose value is empty is not sent: QBO's default applies.\nvars:\n",
        );
    }
    let mut var = |name: &str, default: &str, description: &str| {
        out.push_str(&format!(
            "  {name}:\n    default: {}\n    description: {}\n",
            quoted(default),
            quoted(description)
        ));
    };
    if report.dated {
        var(
            "date_macro",
            "This Fiscal Year-to-date",
            "QBO date range (Today, This Month, Last Month, This Fiscal Quarter, This Fiscal Year-to-date, Last Fiscal Year ...), used when start_date and end_date are empty",
        );
        var(
            "start_date",
            "",
            "first day, YYYY-MM-DD (instead of date_macro)",
        );
        var(
            "end_date",
            "",
            "last day, YYYY-MM-DD (instead of date_macro)",
        );
    }
    for param in report.params {
        var(param.name, param.default, param.description);
    }
    out.push_str(&format!(
        "method: GET\npath: /v3/company/{{{{ realm_id }}}}/reports/{name}\n"
    ));
    if report.dated || !report.params.is_empty() {
        out.push_str("params:\n");
    }
    if report.dated {
        out.push_str(
            "  date_macro: \"{% if not start_date and not end_date %}{{ date_macro }}{% endif %}\"\n  \
             start_date: \"{{ start_date }}\"\n  end_date: \"{{ end_date }}\"\n",
        );
    }
    for param in report.params {
        out.push_str(&format!("  {0}: \"{{{{ {0} }}}}\"\n", param.name));
    }
    out.push_str(
        "# Each line of the report becomes a record: section, group, kind, depth, account,\n\
         # account_id, then one key per report column.\n\
         extract: report\n",
    );
}

/// The text of a new connection file.
pub fn connection_text(environment: Environment) -> String {
    let mut out = String::from(CONNECTION_MODELINE);
    out.push_str(
        "# Made by `qbo-run new connection`. Every key is described in\n\
         # schemas/connection.schema.json (and README.md, \"Connection file\").\n",
    );
    match environment {
        Environment::Emulator => out.push_str(
            "# The built-in QBO emulator: qbo-run starts it in-process on a free loopback port for\n\
             # each run and logs in by itself (no Intuit account needed). Add base_url to use one\n\
             # started elsewhere (`qbo-run emulator --port 8050`).\n\
             description: Built-in QuickBooks Online emulator (seeded sample company)\n\
             environment: emulator\n\
             minor_version: 75\n\
             emulator:\n  \
             seed: 42            # the same seed gives the same company\n  \
             # invoices: 2500\n  \
             # customers: 120\n  \
             # now: \"2025-09-19T12:00:00-07:00\"   # stop the company's clock\n",
        ),
        Environment::Sandbox | Environment::Production => {
            let env = environment.as_str();
            out.push_str(&format!(
                "# A QuickBooks Online company through Intuit ({env}). Nothing secret is written here:\n\
                 # the client id and secret come from the environment. Log in once with\n\
                 # `qbo-run auth login NAME`; tokens are kept in the token store, not in this file.\n\
                 description: {}\n\
                 environment: {env}\n\
                 realm_id: \"{{{{ env.QBO_REALM_ID | default('') }}}}\"   # else taken from the login callback\n\
                 minor_version: 75\n\
                 oauth2:\n  \
                 # auth_url, token_url and revoke_url are Intuit's, filled by the preset.\n  \
                 client_id: \"{{{{ env.QBO_CLIENT_ID }}}}\"\n  \
                 client_secret: \"{{{{ env.QBO_CLIENT_SECRET }}}}\"   # or client_secret_command: a command printing it\n  \
                 scope: com.intuit.quickbooks.accounting\n  \
                 # Must be one of your app's redirect URIs (developer.intuit.com, Keys & credentials).\n  \
                 redirect_uri: http://localhost:8050/callback\n",
                quoted(&format!("QuickBooks Online {env} company (Intuit)"))
            ));
        }
    }
    out
}
