use super::*;
use crate::output::Format;
use crate::spec::{ConnectionSpec, Environment, RequestSpec, SourceFile};
use std::path::Path;

fn schema(kind: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{kind}.schema.json"));
    let text = std::fs::read_to_string(path).expect("committed schema");
    jsonschema::validator_for(&serde_json::from_str(&text).expect("JSON")).expect("schema")
}

fn scaffolds() -> Vec<RequestScaffold> {
    let mut out = Vec::new();
    for format in [Format::Json, Format::Jsonl, Format::Csv] {
        for entity in ENTITIES {
            for incremental in [false, entity.by_update_time] {
                out.push(RequestScaffold {
                    name: format!("{}_{incremental}", entity.name.to_lowercase()),
                    source: Source::Entity(entity),
                    incremental,
                    format,
                    connection: "emulator".into(),
                });
            }
        }
        for report in REPORTS {
            out.push(RequestScaffold {
                name: report.name.to_lowercase(),
                source: Source::Report(report),
                incremental: false,
                format,
                connection: "O'Brien \"books\"".into(),
            });
        }
    }
    out
}

#[test]
fn every_entity_and_report_scaffold_passes_check_and_the_schema() {
    let validator = schema("request");
    for scaffold in scaffolds() {
        let text = request_text(&scaffold);
        let path = Path::new("requests").join(format!("{}.yaml", scaffold.name));
        let spec = RequestSpec::from_file(SourceFile::from_text(&path, text.clone()))
            .unwrap_or_else(|err| panic!("{}: {}\n{text}", scaffold.name, err.message()));
        assert_eq!(spec.format, Some(scaffold.format));
        assert_eq!(spec.incremental.is_some(), scaffold.incremental);
        assert_eq!(
            spec.connection.as_deref(),
            Some(scaffold.connection.as_str())
        );
        let json: serde_json::Value = serde_yaml::from_str(&text).expect("YAML");
        assert!(validator.is_valid(&json), "{}: schema", scaffold.name);
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/request.schema.json\n")
        );
    }
}

#[test]
fn name_lists_ask_for_inactive_records_and_transactions_do_not() {
    let text = |name: &str| {
        request_text(&RequestScaffold {
            name: "x".into(),
            source: Source::Entity(find_entity(name).expect("known")),
            incremental: false,
            format: Format::Json,
            connection: "emulator".into(),
        })
    };
    assert!(
        text("customer").contains("select * from Customer\n    where Active IN (true, false) AND")
    );
    assert!(!text("Invoice").contains("Active"));
    assert!(find_entity("Invoices").is_none());
}

#[test]
fn reports_carry_their_parameters_as_variables() {
    let aged = find_report("aged_receivables").expect("snake case");
    assert_eq!(find_report("AgedReceivables"), Some(aged));
    let text = request_text(&RequestScaffold {
        name: "aged".into(),
        source: Source::Report(aged),
        incremental: false,
        format: Format::Csv,
        connection: "emulator".into(),
    });
    let spec = RequestSpec::from_file(SourceFile::from_text(Path::new("requests/aged.yaml"), text))
        .expect("checks");
    let names: Vec<&str> = spec.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["report_date", "aging_period", "num_periods", "customer"]
    );
    assert_eq!(spec.params, names);
}

#[test]
fn connection_scaffolds_pass_check_and_the_schema() {
    let validator = schema("connection");
    for environment in [
        Environment::Production,
        Environment::Sandbox,
        Environment::Emulator,
    ] {
        let text = connection_text(environment);
        let spec = ConnectionSpec::from_file(SourceFile::from_text(
            Path::new("connections/c.yaml"),
            text.clone(),
        ))
        .unwrap_or_else(|err| panic!("{}: {}", environment.as_str(), err.message()));
        assert_eq!(spec.environment, environment);
        assert!(!spec.literal_secret, "secrets come from the environment");
        let json: serde_json::Value = serde_yaml::from_str(&text).expect("YAML");
        assert!(validator.is_valid(&json), "{}", environment.as_str());
    }
}
