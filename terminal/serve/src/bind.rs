//! The listen addresses: loopback only. A card service on any other interface lets the whole
//! network read cards and try PINs; this is refused before anything listens.

use std::net::SocketAddr;

use crate::error::ServeError;

/// Parse and check every listen address: each must be `127.0.0.0/8:port` or `[::1]:port`.
pub fn loopback_addrs(listen: &[String]) -> Result<Vec<SocketAddr>, ServeError> {
    if listen.is_empty() {
        return Err(ServeError::Bind {
            addr: String::new(),
            reason: "no listen address".into(),
        });
    }
    listen
        .iter()
        .map(|a| {
            let addr: SocketAddr = a.parse().map_err(|_| ServeError::Bind {
                addr: a.clone(),
                reason: "not an ip:port address (names are not accepted)".into(),
            })?;
            if !addr.ip().is_loopback() {
                return Err(ServeError::Bind {
                    addr: a.clone(),
                    reason: "only loopback addresses (127.0.0.1, [::1]) are allowed".into(),
                });
            }
            Ok(addr)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_accepted() {
        assert!(loopback_addrs(&["127.0.0.1:1".into(), "[::1]:1".into()]).is_ok());
        for bad in [
            "0.0.0.0:12342",
            "[::]:12342",
            "192.168.1.5:12342",
            "localhost:12342",
            "",
        ] {
            let e = loopback_addrs(&[bad.into()]).unwrap_err();
            assert!(matches!(e, ServeError::Bind { .. }), "{bad}");
        }
        assert!(loopback_addrs(&[]).is_err());
    }
}
