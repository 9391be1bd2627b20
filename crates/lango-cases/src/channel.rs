//! How an application came in. The entry point that starts it says which, so the published
//! figures (usage by channel, digital take-up) count what really happened.

use lango_core::Error;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The channel an application was made through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The applicant on the portal's pages.
    Online,
    /// An agency's own system, through the API.
    Api,
    /// Staff at a service centre, on the applicant's behalf.
    Centre,
    /// USSD on any phone.
    Ussd,
    /// A kiosk agent, on the applicant's behalf.
    Agent,
    /// The mobile app.
    Mobile,
}

impl Channel {
    /// Every channel, in order.
    pub const ALL: [Channel; 6] = [
        Channel::Online,
        Channel::Api,
        Channel::Centre,
        Channel::Ussd,
        Channel::Agent,
        Channel::Mobile,
    ];

    /// The word stored, published and sent in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Api => "api",
            Channel::Centre => "centre",
            Channel::Ussd => "ussd",
            Channel::Agent => "agent",
            Channel::Mobile => "mobile",
        }
    }

    /// True when the applicant (or their own system) used the service themselves, as the
    /// digital take-up KPI counts it; assisted channels (centre, agent) are not digital.
    pub fn is_digital(self) -> bool {
        !matches!(self, Channel::Centre | Channel::Agent)
    }
}

impl std::str::FromStr for Channel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "channel",
                    format!(
                        "{:?} is not a channel; use one of {}",
                        s.chars().take(40).collect::<String>(),
                        Channel::ALL.map(Channel::as_str).join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_parses_back_from_its_word() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), c);
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert!("Online".parse::<Channel>().is_err());
        assert!("kiosk".parse::<Channel>().is_err());
    }

    #[test]
    fn assisted_channels_are_not_digital() {
        let digital: Vec<&str> = Channel::ALL
            .iter()
            .filter(|c| c.is_digital())
            .map(|c| c.as_str())
            .collect();
        assert_eq!(digital, ["online", "api", "ussd", "mobile"]);
    }
}
