//! Optional TLS (`[tls] enabled = true` or `sscard serve --tls`): the certificate and key the
//! service presents. With no files yet, a self-signed certificate for `localhost`, `127.0.0.1`
//! and `::1` is generated once (key file mode 0600, written to a temporary file, synced, then
//! renamed) and reused on every later start; its SHA-256 fingerprint is printed so an admin can
//! install it as trusted. A file that exists but cannot be used is an error naming it; nothing is
//! ever overwritten.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ServeError;

/// The names the generated certificate is valid for: the loopback names a page can use.
pub const LOCAL_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The `[tls]` section of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Serve HTTPS / WSS instead of HTTP / WS on every listen address.
    pub enabled: bool,
    /// The certificate chain (PEM); generated when neither it nor the key exists.
    pub cert: PathBuf,
    /// The private key (PEM, PKCS#8 / SEC1 / PKCS#1).
    pub key: PathBuf,
}

impl Default for TlsConfig {
    fn default() -> Self {
        let dir = crate::dirs::config_dir();
        TlsConfig {
            enabled: false,
            cert: dir.join("serve-tls-cert.pem"),
            key: dir.join("serve-tls-key.pem"),
        }
    }
}

/// A loaded certificate: what the listeners use and what is shown to the admin.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The rustls server configuration.
    pub server: Arc<rustls::ServerConfig>,
    /// SHA-256 of the leaf certificate (DER), `AA:BB:…`.
    pub fingerprint: String,
    /// The certificate file.
    pub cert_path: PathBuf,
    /// Whether this start generated it.
    pub generated: bool,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fingerprint", &self.fingerprint)
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

fn bad(path: &Path, reason: impl Into<String>) -> ServeError {
    ServeError::Config {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// `AA:BB:…` (upper-case hex) of SHA-256 over `der`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Load the certificate and key of `c`, generating both when neither file exists.
pub fn load_or_create(c: &TlsConfig) -> Result<TlsIdentity, ServeError> {
    let (cert_there, key_there) = (c.cert.exists(), c.key.exists());
    let generated = match (cert_there, key_there) {
        (false, false) => {
            generate(c)?;
            true
        }
        (true, false) => {
            return Err(bad(
                &c.key,
                format!(
                    "missing, but the certificate {} exists (not overwritten); restore the key \
                     or remove both to generate a new pair",
                    c.cert.display()
                ),
            ))
        }
        (false, true) => {
            return Err(bad(
                &c.cert,
                format!(
                    "missing, but the key {} exists (not overwritten); restore the certificate \
                     or remove both to generate a new pair",
                    c.key.display()
                ),
            ))
        }
        (true, true) => false,
    };
    let certs = read_certs(&c.cert)?;
    let key = read_key(&c.key)?;
    let fp = certs
        .first()
        .map(|d| fingerprint(d.as_ref()))
        .ok_or_else(|| bad(&c.cert, "no certificate in the file"))?;
    // *ring* (builds here without cmake); its provider is marked deprecated only for lacking
    // post-quantum key exchange, which a loopback-only service does not need.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&c.cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            bad(
                &c.key,
                format!("does not fit the certificate {}: {e}", c.cert.display()),
            )
        })?;
    // HTTP/1.1 only: the WebSocket dialect upgrades an HTTP/1.1 connection.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsIdentity {
        server: Arc::new(server),
        fingerprint: fp,
        cert_path: c.cert.clone(),
        generated,
    })
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let data = std::fs::read(path).map_err(|e| bad(path, e.to_string()))?;
    let certs: Result<Vec<_>, _> = rustls_pemfile::certs(&mut data.as_slice()).collect();
    let certs = certs.map_err(|e| bad(path, format!("not a PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(bad(path, "not a PEM certificate (no CERTIFICATE block)"));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, ServeError> {
    let data = std::fs::read(path).map_err(|e| bad(path, e.to_string()))?;
    match rustls_pemfile::private_key(&mut data.as_slice()) {
        Ok(Some(k)) => Ok(k),
        Ok(None) => Err(bad(path, "not a PEM private key (no PRIVATE KEY block)")),
        Err(e) => Err(bad(path, format!("not a PEM private key: {e}"))),
    }
}

fn generate(c: &TlsConfig) -> Result<(), ServeError> {
    let names: Vec<String> = LOCAL_NAMES.iter().map(|s| s.to_string()).collect();
    let ck = rcgen::generate_simple_self_signed(names)
        .map_err(|e| ServeError::Internal(format!("generating the certificate: {e}")))?;
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| ServeError::Io {
            context: format!("writing {p}"),
            source,
        }
    };
    for p in [&c.cert, &c.key] {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
    }
    // The key first: a crash in between leaves a key without a certificate, refused above
    // with both names rather than silently replaced.
    let key_pem = zeroize::Zeroizing::new(ck.key_pair.serialize_pem());
    let tmp = c.key.with_extension("tmp");
    crate::token::write_private(&tmp, key_pem.as_bytes()).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &c.key).map_err(io(&c.key))?;
    let tmp = c.cert.with_extension("tmp");
    crate::token::write_private(&tmp, ck.cert.pem().as_bytes()).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &c.cert).map_err(io(&c.cert))?;
    tracing::info!(cert = %c.cert.display(), "generated a self-signed TLS certificate");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dir: &Path) -> TlsConfig {
        TlsConfig {
            enabled: true,
            cert: dir.join("c.pem"),
            key: dir.join("k.pem"),
        }
    }

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sscard-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn generated_once_then_reused_with_the_same_fingerprint() {
        let d = tmpdir("reuse");
        let c = cfg(&d);
        let a = load_or_create(&c).unwrap();
        assert!(a.generated);
        let b = load_or_create(&c).unwrap();
        assert!(!b.generated);
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&c.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_corrupt_file_is_named_and_nothing_is_overwritten() {
        let d = tmpdir("corrupt");
        let c = cfg(&d);
        load_or_create(&c).unwrap();
        let key_before = std::fs::read(&c.key).unwrap();
        std::fs::write(&c.cert, b"garbage").unwrap();
        let e = load_or_create(&c).unwrap_err().to_string();
        assert!(e.contains(&c.cert.display().to_string()), "{e}");
        assert_eq!(std::fs::read(&c.cert).unwrap(), b"garbage");
        assert_eq!(std::fs::read(&c.key).unwrap(), key_before);
        // A fresh certificate, the corrupt key.
        std::fs::remove_file(&c.cert).unwrap();
        std::fs::write(
            &c.key,
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = load_or_create(&c).unwrap_err().to_string();
        assert!(e.contains(&c.key.display().to_string()), "{e}");
        assert!(
            !c.cert.exists(),
            "the certificate was not regenerated over a lone key"
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
