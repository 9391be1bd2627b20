//! Edits against a real SQLite database: the live catalogue follows at once, stale and
//! foreign edits change nothing, and every save leaves history and an audit record.

use crate::admin::{self, Editable};
use crate::edit::{EditForm, ServiceEdit};
use crate::model::*;
use crate::search::SearchRequest;
use crate::service::{import_agencies, import_services, Catalogue};
use lango_core::db::Db;
use lango_core::Error;
use lango_identity::model::{AccountKind, Role};
use lango_identity::policy::Actor;

const AGENCIES: &str = "code,name,name_sw,level,parent_code,website\n\
    DIS,Immigration,Uhamiaji,national,,\nNTSA,Transport,Usafiri,national,,\n";
const SERVICES: &str = "code,name,name_sw,summary,summary_sw,agency_code,category,life_events,channels,stage,fees,sla_days,documents,keywords,status\n\
    DIS-PASSPORT,Apply for a passport,Omba pasipoti,Apply online.,Omba mtandaoni.,DIS,travel-and-immigration,,online;centre,end_to_end,34 pages:4550.00 KES;50 pages:6050.00 KES,10,National ID card,passport,active\n\
    NTSA-DL,Renew a driving licence,Fanya upya leseni,Renew online.,Fanya upya.,NTSA,transport,,online,end_to_end,:650.00 KES,1,,licence,active\n";

async fn setup() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(
        &format!("sqlite://{}/t.db?mode=rwc", dir.path().display()),
        2,
    )
    .await
    .unwrap();
    db.migrate(&[
        lango_core::db::migrations(),
        crate::migrations(),
        lango_notify::migrations(),
        lango_identity::migrations(),
    ])
    .await
    .unwrap();
    import_agencies(&db, AGENCIES.as_bytes()).await.unwrap();
    let r = import_services(&db, SERVICES.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    (dir, db)
}

async fn admin_of(db: &Db, email: &str, agency: &str) -> Actor {
    let id = lango_identity::seed::person(
        db,
        &lango_identity::seed::PersonSeed {
            kind: AccountKind::Staff,
            id_number: None,
            given_name: "Amina",
            family_name: "Admin",
            email,
            phone: None,
            password: "correct horse battery",
            county: "",
        },
    )
    .await
    .unwrap();
    lango_identity::seed::grant(db, &id, Role::AgencyAdmin, Some(agency), None)
        .await
        .unwrap();
    Actor::Person(lango_identity::account::actor(db, &id).await.unwrap())
}

fn renamed(e: &Editable, name: &str) -> ServiceEdit {
    ServiceEdit::parse(&EditForm {
        name: name.into(),
        fees: "34 pages:5000.00 KES".into(),
        ..ServiceEdit::of(&e.service).form()
    })
    .unwrap()
}

#[tokio::test]
async fn an_edit_is_live_at_once_with_history_and_audit() {
    let (_dir, db) = setup().await;
    let dis = AgencyCode::parse("DIS").unwrap();
    let code = ServiceCode::parse("DIS-PASSPORT").unwrap();
    let admin = admin_of(&db, "admin@dis.example", "DIS").await;
    let catalogue = Catalogue::open(db.clone()).await.unwrap();
    let before = admin::service_for_edit(&db, &admin, &dis, &code)
        .await
        .unwrap();
    let edit = renamed(&before, "Apply for an ePassport");
    let edited = catalogue
        .edit_service(&admin, &dis, &code, &edit, before.revision)
        .await
        .unwrap();
    let fields: Vec<&str> = edited.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["name", "fees"]);
    // No follower runs here: only the edit's own refresh can have made this visible.
    let hit = catalogue.snapshot().service(&code).unwrap();
    assert_eq!(hit.entry.service.name, "Apply for an ePassport");
    assert_eq!(hit.entry.service.fees[0].amount.minor(), 500_000);
    let page = catalogue
        .search(&SearchRequest {
            q: "epassport".into(),
            page: 1,
            per_page: 10,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let history = admin::history(&db, &admin, &dis, &code).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].actor_name, "Amina Admin");
    assert_eq!(history[0].changes[0].old, "Apply for a passport");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'service.edit' AND object = 'service:DIS-PASSPORT'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // The same edit again, on the old revision: refused, nothing changes.
    let stale = catalogue
        .edit_service(
            &admin,
            &dis,
            &code,
            &renamed(&before, "Stale"),
            before.revision,
        )
        .await;
    assert!(matches!(stale, Err(Error::Conflict(_))), "{stale:?}");
    let now = admin::service_for_edit(&db, &admin, &dis, &code)
        .await
        .unwrap();
    assert_eq!(now.service.name, "Apply for an ePassport");
    assert_eq!(now.revision, edited.revision);
    let same = catalogue
        .edit_service(
            &admin,
            &dis,
            &code,
            &ServiceEdit::of(&now.service),
            now.revision,
        )
        .await;
    assert!(
        matches!(same, Err(Error::Invalid { .. })),
        "nothing changed"
    );
}

#[tokio::test]
async fn nobody_edits_another_agencys_service() {
    let (_dir, db) = setup().await;
    let dis = AgencyCode::parse("DIS").unwrap();
    let ntsa = AgencyCode::parse("NTSA").unwrap();
    let code = ServiceCode::parse("DIS-PASSPORT").unwrap();
    let dis_admin = admin_of(&db, "admin@dis.example", "DIS").await;
    let ntsa_admin = admin_of(&db, "admin@ntsa.example", "NTSA").await;
    let before = admin::service_for_edit(&db, &dis_admin, &dis, &code)
        .await
        .unwrap();
    let edit = renamed(&before, "Hijacked");
    let refused = admin::edit_service(&db, &ntsa_admin, &dis, &code, &edit, before.revision).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let smuggled =
        admin::edit_service(&db, &ntsa_admin, &ntsa, &code, &edit, before.revision).await;
    assert!(matches!(smuggled, Err(Error::NotFound(_))), "{smuggled:?}");
    let anonymous =
        admin::edit_service(&db, &Actor::Anonymous, &dis, &code, &edit, before.revision).await;
    assert!(matches!(anonymous, Err(Error::Forbidden(_))));
    let listed = admin::services_for_admin(&db, &ntsa_admin, &ntsa)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].service.code.as_str(), "NTSA-DL");
    let after = admin::service_for_edit(&db, &dis_admin, &dis, &code)
        .await
        .unwrap();
    assert_eq!(after.service.name, "Apply for a passport");
    assert_eq!(after.revision, before.revision);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_history")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}
