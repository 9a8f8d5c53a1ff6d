//! The committed JSON Schemas of request and connection files: the same as the build prints,
//! strict and described, carried by every shipped file's modeline, and judged by an independent
//! validator (the `jsonschema` crate) to accept every shipped file and refuse misspelt keys, as
//! `check` does.

mod common;

use common::{Project, assert_ok, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

const KINDS: [(&str, &str); 2] = [("request", "requests"), ("connection", "connections")];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed(kind: &str) -> Value {
    let path = root().join("schemas").join(format!("{kind}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; write it with qbo-run schema {kind} > {}",
            path.display(),
            path.display()
        )
    });
    serde_json::from_str(&text).expect("committed schema is JSON")
}

fn validator(kind: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&committed(kind)).expect("the schema compiles")
}

/// The YAML files under `dir`, at any depth.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                // Cassettes (`qbo-run test`) are not request files.
                if path.file_name().is_some_and(|n| n != "cassettes") {
                    stack.push(path);
                }
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn yaml_as_json(text: &str) -> Value {
    serde_yaml::from_str(text).expect("YAML")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schemas_are_what_the_build_prints() {
    let project = Project::new();
    for (kind, _) in KINDS {
        let output = project.run(["schema", kind]);
        assert_ok(&output);
        let printed: Value = serde_json::from_str(&stdout(&output)).expect("printed JSON");
        assert_eq!(
            printed,
            committed(kind),
            "schemas/{kind}.schema.json is out of date: run `qbo-run schema {kind} > schemas/{kind}.schema.json`"
        );
        let text = std::fs::read_to_string(root().join(format!("schemas/{kind}.schema.json")))
            .expect("read");
        assert_eq!(text, stdout(&output), "byte for byte, so diffs stay clean");
    }
}

#[test]
fn schemas_are_draft_2020_12_and_valid_against_its_meta_schema() {
    for (kind, _) in KINDS {
        let schema = committed(kind);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind}"
        );
        jsonschema::meta::validate(&schema)
            .unwrap_or_else(|err| panic!("{kind} schema against the meta-schema: {err}"));
    }
}

/// Every object schema (the root and each definition, nested ones included).
fn objects(schema: &Value, out: &mut Vec<(String, Value)>, at: String) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") {
                out.push((at.clone(), schema.clone()));
            }
            for (key, value) in map {
                objects(value, out, format!("{at}/{key}"));
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                objects(value, out, format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

#[test]
fn every_key_is_strict_and_described() {
    for (kind, _) in KINDS {
        let schema = committed(kind);
        let mut found = Vec::new();
        objects(&schema, &mut found, String::new());
        assert!(found.len() >= 5, "{kind}: {} objects", found.len());
        for (at, object) in found {
            assert_eq!(
                object["additionalProperties"],
                Value::Bool(false),
                "{kind} {at}: unknown keys must be refused"
            );
            let properties = object["properties"].as_object().expect("properties");
            for (key, property) in properties {
                let description = property["description"].as_str().unwrap_or("");
                assert!(
                    description.len() > 10,
                    "{kind} {at}.{key} has no description"
                );
            }
        }
    }
}

#[test]
fn every_shipped_file_carries_the_modeline_of_its_schema() {
    let mut seen = 0;
    for (kind, folder) in KINDS {
        let base = root().join(folder);
        for path in yaml_files(&base) {
            let depth = path
                .strip_prefix(&base)
                .expect("under")
                .components()
                .count();
            let expected = format!(
                "# yaml-language-server: $schema={}schemas/{kind}.schema.json",
                "../".repeat(depth)
            );
            let text = std::fs::read_to_string(&path).expect("read");
            assert_eq!(
                text.lines().next(),
                Some(expected.as_str()),
                "{} must start with the modeline",
                path.display()
            );
            let target = path
                .parent()
                .expect("folder")
                .join(expected.rsplit_once('=').expect("=").1);
            assert!(target.is_file(), "{} points nowhere", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} shipped files");
}

#[test]
fn an_independent_validator_accepts_every_shipped_file() {
    for (kind, folder) in KINDS {
        let validator = validator(kind);
        let files = yaml_files(&root().join(folder));
        assert!(!files.is_empty());
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read");
            let found = errors(&validator, &yaml_as_json(&text));
            assert!(found.is_empty(), "{}: {found:?}", path.display());
        }
    }
}

#[test]
fn misspelt_keys_are_refused_by_the_validator_and_by_check() {
    let project = Project::new();
    let request = std::fs::read_to_string(root().join("requests/invoices.yaml")).expect("read");
    let connection =
        std::fs::read_to_string(root().join("connections/quickbooks.yaml")).expect("read");
    let cases = [
        (
            "request",
            "requests/a.yaml",
            request.replace("paginate:", "paginat:"),
        ),
        (
            "request",
            "requests/b.yaml",
            request.replace("page_size:", "page_sise:"),
        ),
        (
            "request",
            "requests/c.yaml",
            request.replace("    default:", "    defualt:"),
        ),
        (
            "connection",
            "connections/d.yaml",
            connection.replace("client_id:", "clientid:"),
        ),
        (
            "connection",
            "connections/e.yaml",
            connection.replace("environment: sandbox", "enviroment: sandbox"),
        ),
    ];
    for (kind, name, text) in cases {
        let refused = errors(&validator(kind), &yaml_as_json(&text));
        assert!(!refused.is_empty(), "{name} passed the schema:\n{text}");
        let path = project.file(name, &text);
        let output = project.run([std::ffi::OsStr::new("check"), path.as_os_str()]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{name}: check must refuse it too"
        );
        assert!(
            common::stderr(&output).contains("unknown"),
            "{name}: {}",
            common::stderr(&output)
        );
    }
}

#[test]
fn values_that_may_be_templates_take_strings_and_scalars_take_numbers() {
    let request = validator("request");
    let ok = yaml_as_json(
        "path: /v3/company/{{ realm_id }}/query\nvars:\n  n: { default: 3 }\n  b: { default: true }\nparams:\n  minorversion: 75\n  query: \"select * from Item\"\n  flag: true\nheaders:\n  X-Trace: \"{{ env.TRACE }}\"\ninput: { requestid: \"r-{{ row.id }}\" }\n",
    );
    assert_eq!(errors(&request, &ok), Vec::<String>::new());
    let bad = yaml_as_json("path: /x\nparams:\n  query: [1, 2]\n");
    assert!(!errors(&request, &bad).is_empty(), "a list is no template");
    let no_path = yaml_as_json("description: nothing to call\n");
    assert!(!errors(&request, &no_path).is_empty(), "path is required");

    let connection = validator("connection");
    let ok = yaml_as_json(
        "environment: production\nrealm_id: 9341453050298464\nminor_version: \"{{ env.MV }}\"\nbase_url: \"{{ env.QBO_URL }}\"\noauth2:\n  client_id: \"{{ env.QBO_CLIENT_ID }}\"\n  client_secret_command: pass show qbo\nlimits: { max_in_flight: 4 }\n",
    );
    assert_eq!(errors(&connection, &ok), Vec::<String>::new());
    let bad = yaml_as_json("environment: staging\n");
    assert!(!errors(&connection, &bad).is_empty(), "no such environment");
}
