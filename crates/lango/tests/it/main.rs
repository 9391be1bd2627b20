//! Integration tests: the real binary, the real HTTP stack, SQLite always and PostgreSQL
//! when `LANGO_TEST_POSTGRES_URL` is set. One test binary keeps the build short.

mod browser_kit;
mod kiswahili;
// The national identity provider simulator, shared with lango-identity's tests (which use
// all of it).
#[allow(dead_code)]
#[path = "../../../lango-identity/tests/support/oidc_simulator.rs"]
mod oidc_simulator;
mod s3_server;
mod sign_in_kit;
mod sms_simulator;
mod smtp_server;
mod support;
mod webhook_receiver;

mod about_browser;
mod about_pages;
mod access;
mod accounts;
mod activity;
mod agents;
mod agents_browser;
mod agents_clients;
mod agents_reversal;
mod auditor_forms;
mod backup;
mod bills;

mod browser;
mod cards;
mod cases_api;
mod cases_browser;
mod cases_engine;
mod cases_files;
mod cases_journey;
mod cases_work;
mod catalogue_api;
mod catalogue_import;
mod centres;
mod centres_admin;
mod centres_assist;
mod centres_assist_browser;
mod centres_browser;
mod centres_cash;
mod centres_crash;
mod centres_pages;
mod centres_stops;
mod centres_survey;
mod claims;
mod deploy;
mod deploy_load;
mod finance;
mod insights_open_data;
mod insights_performance;
mod insights_survey;
mod insights_survey_browser;
mod insights_usage;
mod mpesa;
mod mpesa_crash;
mod my_data;
mod national_id;
mod notifications;
mod notifications_browser;
mod notifications_journey;
mod observability;
mod openapi_contract;
mod pages;
mod passport_form;
mod pay;
mod phone_browser;
mod phone_demo;
mod postgres_restart;
mod reconciliation;
mod refunds;
mod registration;
mod sample_data;
mod secrets_at_rest;
mod security_accounts;
mod security_audit;
mod security_duties;
mod security_edge;
mod security_recovery;
mod seed_systems;
mod services_admin;
mod settlement;
mod sign_in_with_lango;
mod sign_in_with_lango_browser;
mod signed_documents;
mod sms_inbound;
mod standard_application;
mod stk;
mod upgrades;
mod ussd;
mod ussd_centres;
mod webhook_crash;
mod webhooks;
