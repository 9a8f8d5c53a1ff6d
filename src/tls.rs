//! What TLS connections trust: the Mozilla roots, plus the certificates of a private CA that an
//! environment variable names (a PEM file), as behind a TLS-inspecting corporate proxy or in
//! front of a company's own database.

use crate::diagnostics::Error;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Path, PathBuf};

/// The variable naming the extra CA trusted for calls to QBO, Intuit's OAuth endpoints and
/// proxies.
pub const API_CA: &str = "QBO_RUN_CA";

/// The variable naming the extra CA trusted for the PostgreSQL token store.
pub const STORE_CA: &str = "QBO_RUN_STORE_CA";

/// The certificates in the PEM file `variable` names; none when it is unset or empty.
///
/// # Errors
///
/// A usage error naming the variable and the file when the file cannot be read or holds no
/// certificate.
pub fn extra_roots(variable: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let Some(path) = std::env::var_os(variable).filter(|path| !path.is_empty()) else {
        return Ok(Vec::new());
    };
    let path = PathBuf::from(path);
    let certificates = CertificateDer::pem_file_iter(&path)
        .map_err(|err| refused(variable, &path, &err))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| refused(variable, &path, &err))?;
    // Each must be one a trust anchor can be made of, whichever TLS client takes it.
    for (at, certificate) in certificates.iter().enumerate() {
        rustls::RootCertStore::empty()
            .add(certificate.clone())
            .map_err(|err| {
                let why = match err {
                    rustls::Error::InvalidCertificate(why) => format!("{why:?}"),
                    other => other.to_string(),
                };
                refused(
                    variable,
                    &path,
                    &format!("certificate {} in it cannot be a root: {why}", at + 1),
                )
            })?;
    }
    if certificates.is_empty() {
        return Err(refused(
            variable,
            &path,
            &"no certificate (-----BEGIN CERTIFICATE-----) in it",
        ));
    }
    Ok(certificates)
}

/// The Mozilla roots and the certificates of the PEM file `variable` names.
///
/// # Errors
///
/// As [`extra_roots`].
pub fn roots(variable: &str) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    roots.add_parsable_certificates(extra_roots(variable)?);
    Ok(roots)
}

fn refused(variable: &str, path: &Path, why: &dyn std::fmt::Display) -> Error {
    Error::usage(format!("{variable} {}: {why}", path.display()))
}
