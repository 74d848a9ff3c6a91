//! A per-address pace on login attempts (governor's keyed GCRA limiter), on
//! top of the per-account lockout: one address cannot try passwords across
//! many accounts quickly.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc};

use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

use dandang_app::config::LoginConfig;

#[derive(Clone)]
pub struct LoginThrottle {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    header: Option<String>,
}

impl LoginThrottle {
    pub fn new(cfg: &LoginConfig) -> LoginThrottle {
        let per = NonZeroU32::new(cfg.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(cfg.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        LoginThrottle {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per).allow_burst(burst))),
            header: cfg.client_ip_header.as_deref().map(str::to_ascii_lowercase),
        }
    }

    /// The client's address: the configured proxy header's first entry when
    /// set, else the peer address; requests without either share one key.
    pub fn client(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> String {
        if let Some(h) = &self.header
            && let Some(v) = headers.get(h.as_str()).and_then(|v| v.to_str().ok())
            && let Some(first) = v.split(',').next().map(str::trim).filter(|s| !s.is_empty())
        {
            return first.to_string();
        }
        peer.map(|p| p.to_string()).unwrap_or_else(|| "unknown".into())
    }

    /// `Err(seconds)` to wait when the address has used its attempts.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        self.limiter.check_key(&client.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs().max(1)
        })
    }
}
