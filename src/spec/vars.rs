//! The variables a request file declares (`vars:`) and the names every template may use
//! besides them.

/// Names every request template may use besides its declared variables.
pub const BUILTIN_VARIABLES: [&str; 3] = ["realm_id", "minor_version", "env"];

/// A declared variable.
#[derive(Debug, Clone)]
pub struct VarSpec {
    /// Its name in templates and in `--var name=value`.
    pub name: String,
    /// Its value when `--var` does not give one; `None` makes it required.
    pub default: Option<String>,
    /// What it is for, shown by `qbo-run list`.
    pub description: Option<String>,
}
