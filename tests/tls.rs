//! A private certificate authority: a company reached over TLS whose certificate no public root
//! vouches for (as behind a TLS-inspecting proxy) is refused with a message that says so, and
//! reached, login and API calls alike, once `QBO_RUN_CA` names the authority's PEM file.

mod common;

use common::{EmulatorProcess, Project, output_text};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A TLS front on 127.0.0.1 for a plain-HTTP server: each connection's TLS is ended here and
/// its bytes passed both ways to the server.
struct TlsFront {
    /// `https://127.0.0.1:<port>`.
    base_url: String,
    /// The authority that signed the front's certificate, as PEM.
    authority_pem: String,
    /// Connections accepted.
    connections: Arc<AtomicUsize>,
    /// Connections whose TLS handshake succeeded.
    handshakes: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

impl TlsFront {
    fn start(backend: &str) -> TlsFront {
        let backend = backend
            .strip_prefix("http://")
            .expect("a plain-HTTP backend")
            .to_string();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Test Private CA");
        let authority =
            rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().expect("key"))
                .expect("authority");
        let key = rcgen::KeyPair::generate().expect("key");
        let certificate = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("params")
            .signed_by(&key, &authority)
            .expect("certificate");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![certificate.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let (accepted, counted) = (connections.clone(), handshakes.clone());
        runtime.spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let (acceptor, backend, counted) =
                    (acceptor.clone(), backend.clone(), counted.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    counted.fetch_add(1, Ordering::SeqCst);
                    let Ok(mut server) = tokio::net::TcpStream::connect(&backend).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        TlsFront {
            base_url: format!("https://{address}"),
            authority_pem: authority.as_ref().pem(),
            connections,
            handshakes,
            _runtime: runtime,
        }
    }
}

/// An emulator process behind a TLS front, and a project whose connection's company,
/// authorize and token URLs are all behind the front.
struct BehindPrivateCa {
    emulator: EmulatorProcess,
    front: TlsFront,
    project: Project,
    connection: std::path::PathBuf,
}

impl BehindPrivateCa {
    fn start() -> BehindPrivateCa {
        let emulator = EmulatorProcess::start(&[]);
        let front = TlsFront::start(&emulator.base_url);
        let project = Project::new();
        let connection = project.file(
            "connections/private.yaml",
            &format!(
                "environment: emulator\nbase_url: {base}\noauth2:\n  auth_url: {base}/connect/oauth2\n  token_url: {base}/oauth2/v1/tokens/bearer\n",
                base = front.base_url
            ),
        );
        BehindPrivateCa {
            emulator,
            front,
            project,
            connection,
        }
    }

    /// Runs `qbo-run <command> <connection>` (`QBO_RUN_CA` set to `ca` when given).
    fn run(&self, command: &[&str], ca: Option<&std::path::Path>) -> std::process::Output {
        let mut run = self.project.command();
        run.args(command).arg(&self.connection);
        if let Some(ca) = ca {
            run.env("QBO_RUN_CA", ca);
        }
        run.output().expect("run")
    }

    /// The shipped `company_info` request on the connection.
    fn company_info(&self, ca: Option<&std::path::Path>) -> std::process::Output {
        self.run(&["requests/company_info.yaml", "--connection"], ca)
    }

    /// The authority's certificate, written to a PEM file.
    fn authority_file(&self) -> std::path::PathBuf {
        self.project
            .file("private-ca.pem", &self.front.authority_pem)
    }
}

/// Asserts `output` is the refusal of a certificate: exit code 6 (the network's failure), a
/// message that says why and names `QBO_RUN_CA`.
fn assert_refused(output: &std::process::Output) {
    let text = output_text(output);
    assert_eq!(output.status.code(), Some(6), "{text}");
    assert!(text.contains("UnknownIssuer"), "says why: {text}");
    assert!(text.contains("QBO_RUN_CA"), "says what to do: {text}");
}

#[test]
fn a_company_behind_a_private_ca_is_reached_once_qbo_run_ca_names_it() {
    let setup = BehindPrivateCa::start();
    let (emulator, front) = (&setup.emulator, &setup.front);

    // Logging in (reqwest, as every OAuth call) is refused at the authorize URL.
    assert_refused(&setup.company_info(None));
    assert_eq!(front.connections.load(Ordering::SeqCst), 1);
    assert_eq!(front.handshakes.load(Ordering::SeqCst), 0);
    assert_eq!(emulator.stat("code_exchanges"), 0);

    let ca = setup.authority_file();
    let reached = setup.company_info(Some(&ca));
    let text = output_text(&reached);
    assert!(reached.status.success(), "{text}");
    assert!(text.contains("CompanyName"), "{text}");
    assert_eq!(
        emulator.stat("code_exchanges"),
        1,
        "the login went over TLS"
    );
    assert_eq!(emulator.stat("api_requests"), 1, "the call went over TLS");

    // With tokens stored, the API call itself (the pool of its own) is refused, and not sent
    // again.
    let before = front.connections.load(Ordering::SeqCst);
    let refused = setup.company_info(None);
    assert_refused(&refused);
    assert!(output_text(&refused).contains("after 1 attempt(s)"));
    assert_eq!(front.connections.load(Ordering::SeqCst), before + 1);
    assert_eq!(emulator.stat("api_requests"), 1);
}

#[test]
fn qbo_run_ca_naming_a_file_without_a_certificate_is_a_usage_error() {
    let setup = BehindPrivateCa::start();
    for (name, text) in [
        ("empty.pem", ""),
        (
            "key-only.pem",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
        (
            "not-der.pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ),
    ] {
        let ca = setup.project.file(name, text);
        let output = setup.company_info(Some(&ca));
        let message = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(message.contains("QBO_RUN_CA"), "{message}");
        assert!(message.contains(name), "names the file: {message}");
    }
    let missing = setup.project.files.path().join("missing.pem");
    let output = setup.company_info(Some(&missing));
    let message = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("missing.pem"), "{message}");
    assert_eq!(
        setup.front.connections.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
}

#[test]
fn doctor_names_qbo_run_ca_when_the_certificate_is_refused() {
    let setup = BehindPrivateCa::start();
    let doctor = |ca: Option<&std::path::Path>| setup.run(&["doctor"], ca);
    let check = |out: &str, name: &str| -> String {
        out.lines()
            .find(|line| line.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("a `{name}` line in:\n{out}"))
            .to_string()
    };

    let refused = doctor(None);
    let out = common::stdout(&refused);
    assert_eq!(refused.status.code(), Some(6), "{out}");
    let clock = check(&out, "clock");
    assert!(
        clock.starts_with("fail  ") && clock.contains("UnknownIssuer"),
        "{out}"
    );
    let next = out.lines().last().unwrap_or_default();
    assert!(
        next.starts_with("next: ") && next.contains("QBO_RUN_CA"),
        "{out}"
    );

    let trusted = doctor(Some(&setup.authority_file()));
    let out = common::stdout(&trusted);
    assert!(check(&out, "clock").starts_with("ok  "), "{out}");
    assert!(check(&out, "QBO").starts_with("ok  "), "{out}");
    assert!(!out.contains("UnknownIssuer"), "{out}");
}
