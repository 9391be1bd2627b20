//! Simulators of outside parties that tests and the demo cannot reach: Safaricom's Daraja
//! API, a hosted card-payment provider and Malaysia's FPX online banking gateway. Each is a real HTTP server on loopback that
//! speaks the party's real wire format; nothing in Lango knows it is talking to one.

pub mod agency_system;
pub mod card;
pub mod daraja;
pub mod fpx;
