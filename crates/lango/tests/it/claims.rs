//! Claims to act for a business or a child (issue 17, §3): typing a registration number or a
//! birth certificate number grants nothing until platform staff have checked it. Pending
//! gives no access, approved does, refused does not; each decision is audited and told.

use crate::backend_tests;
use crate::browser_kit::Browser;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";

/// The id of the business `account_id` owns (the only one, in these tests).
pub async fn business_of(app: &crate::support::TestApp, account_id: &str) -> String {
    let db = app.db().await;
    let owned = lango_identity::business::of_account(&db, account_id)
        .await
        .unwrap();
    db.close().await;
    owned
        .first()
        .expect("a business after approval")
        .0
        .id
        .clone()
}

/// What the person may act for now, fresh as every request loads it.
async fn acts_for(app: &crate::support::TestApp, account_id: &str) -> (Vec<String>, Vec<String>) {
    let db = app.db().await;
    let p = lango_identity::account::actor(&db, account_id)
        .await
        .unwrap();
    db.close().await;
    (p.dependants, p.represents)
}

/// The messages of `event` sent to `recipient`.
async fn told(app: &crate::support::TestApp, recipient: &str, event: &str) -> Vec<String> {
    let db = app.db().await;
    let sent = lango_notify::to_recipient(&db, recipient, 50)
        .await
        .unwrap();
    db.close().await;
    sent.into_iter()
        .filter(|m| m.event_type.as_deref() == Some(event))
        .map(|m| m.body)
        .collect()
}

fn reference_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

backend_tests! {
    async fn a_claim_grants_nothing_until_staff_approve_it_and_a_refusal_says_why(app: TestApp) {
        let parent = app.person("42420001", "parent@example.com", PASSWORD).await;
        app.staff("checker@lango.test", PASSWORD, Role::PlatformAdmin, None).await;
        app.staff("officer@dis.example", PASSWORD, Role::Officer, Some("DIS")).await;
        let mut p = Browser::new(&app);
        p.sign_in("42420001", PASSWORD).await;

        // A claim to a child: stored, confirmed with a reference, but no access.
        p.get("/account/dependants/new").await;
        let child = p.post("/account/dependants", &[("given_name", "Baraka"), ("family_name", "Otieno"),
            ("date_of_birth", "2018-05-04"), ("birth_certificate", "123456789"), ("relationship", "parent")]).await;
        assert_eq!(child.status, 303, "{}", child.html);
        assert!(child.location.starts_with("/account/claims/K"), "{}", child.location);
        let child_claim = reference_in(&child.location);
        let done = p.get(&child.location).await;
        assert!(done.html.contains("We have your claim") && done.html.contains(&child_claim)
            && done.html.contains("Waiting for our check"), "{}", done.html);
        let again = p.post("/account/dependants", &[("given_name", "Baraka"), ("family_name", "Otieno"),
            ("date_of_birth", "2018-05-04"), ("birth_certificate", "123456789"), ("relationship", "parent")]).await;
        assert_eq!(again.status, 400, "one claim at a time");
        assert!(again.html.contains("already asked for this"));

        // A claim to a business: likewise.
        p.get("/account/businesses/new").await;
        let biz = p.post("/account/businesses", &[("registration_number", "pvt-claim42"), ("name", "Otieno Traders Ltd")]).await;
        assert_eq!(biz.status, 303);
        let biz_claim = reference_in(&biz.location);
        let home = p.get("/account").await;
        assert!(home.html.contains("Your claims") && home.html.contains(&biz_claim) && home.html.contains(&child_claim));
        assert_eq!(acts_for(&app, &parent).await, (vec![], vec![]), "pending: no access");
        assert_eq!(app.count("businesses").await, 0);
        assert_eq!(app.count("guardianships").await, 0);

        // Only platform staff see and decide claims.
        let mut o = Browser::new(&app);
        o.sign_in("officer@dis.example", PASSWORD).await;
        assert_eq!(o.get("/admin/claims").await.status, 403);
        let mut s = Browser::new(&app);
        s.sign_in("checker@lango.test", PASSWORD).await;
        assert!(s.get("/account").await.html.contains("href=\"/admin/claims\""), "linked from staff's own work");
        let list = s.get("/admin/claims").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains(&biz_claim) && list.html.contains(&child_claim) && list.html.contains("Test Person"));
        let page = s.get(&format!("/admin/claims/{biz_claim}")).await;
        assert!(page.html.contains("PVT-CLAIM42") && page.html.contains("42420001"), "staff see what to check");

        // Refusing needs a reason; a blank one changes nothing.
        let blank = s.post(&format!("/admin/claims/{biz_claim}"), &[("outcome", "refuse"), ("reason", " ")]).await;
        assert_eq!(blank.status, 400);
        assert!(blank.html.contains("href=\"#f-reason\""), "{}", blank.html);
        let refused = s.post(&format!("/admin/claims/{biz_claim}"),
            &[("outcome", "refuse"), ("reason", "The registry lists other directors.")]).await;
        assert_eq!(refused.status, 303);
        let twice = s.post(&format!("/admin/claims/{biz_claim}"), &[("outcome", "approve")]).await;
        assert_eq!(twice.status, 409, "a decided claim stays decided");
        assert_eq!(acts_for(&app, &parent).await.1, Vec::<String>::new(), "refused: no access");
        let told_refusal = told(&app, "parent@example.com", "claim.refused").await;
        assert_eq!(told_refusal.len(), 1);
        assert!(told_refusal[0].contains("The registry lists other directors.") && told_refusal[0].contains(&biz_claim));
        let home = p.get("/account").await;
        assert!(home.html.contains("Not approved") && home.html.contains("The registry lists other directors."));

        // Approving the child's claim makes the child's account and the guardianship.
        let approved = s.post(&format!("/admin/claims/{child_claim}"), &[("outcome", "approve"), ("reason", "")]).await;
        assert_eq!(approved.status, 303);
        let (dependants, _) = acts_for(&app, &parent).await;
        assert_eq!(dependants.len(), 1, "approved: access");
        assert_eq!(told(&app, "parent@example.com", "claim.approved").await.len(), 1);
        assert!(p.get("/account").await.html.contains("Baraka Otieno"));

        // A second parent's claim to the same child shares the child's account once approved.
        let other = app.person("42420002", "other@example.com", PASSWORD).await;
        let mut q = Browser::new(&app);
        q.sign_in("42420002", PASSWORD).await;
        q.get("/account/dependants/new").await;
        let second = q.post("/account/dependants", &[("given_name", "Baraka"), ("family_name", "Otieno"),
            ("date_of_birth", "2018-05-04"), ("birth_certificate", "123456789"), ("relationship", "parent")]).await;
        assert_eq!(second.status, 303);
        let second_claim = reference_in(&second.location);
        let page = s.get(&format!("/admin/claims/{second_claim}")).await;
        assert!(page.html.contains("Test Person"), "staff see who already acts for the child");
        assert_eq!(s.post(&format!("/admin/claims/{second_claim}"), &[("outcome", "approve")]).await.status, 303);
        assert_eq!(acts_for(&app, &other).await.0, dependants, "one child, one account");

        // Staff never decide their own claim.
        s.get("/account/businesses/new").await;
        let mine = s.post("/account/businesses", &[("registration_number", "pvt-check001"), ("name", "Checker Holdings")]).await;
        let mine = reference_in(&mine.location);
        assert!(s.get(&format!("/admin/claims/{mine}")).await.html.contains("This is your own claim"));
        assert_eq!(s.post(&format!("/admin/claims/{mine}"), &[("outcome", "approve")]).await.status, 403);

        // Two claims to one new business: the first approved makes it; the second is a
        // conflict (its owner adds people), so it stays for staff to refuse.
        let first = p.post("/account/businesses", &[("registration_number", "pvt-twin0001"), ("name", "Twin Ltd")]).await;
        let second = q.post("/account/businesses", &[("registration_number", "pvt-twin0001"), ("name", "Twin Ltd")]).await;
        assert_eq!((first.status, second.status), (303, 303), "both wait; neither knows of the other");
        assert_eq!(s.post(&format!("/admin/claims/{}", reference_in(&first.location)), &[("outcome", "approve")]).await.status, 303);
        let late = s.post(&format!("/admin/claims/{}", reference_in(&second.location)), &[("outcome", "approve")]).await;
        assert_eq!(late.status, 409, "{}", late.html);
        assert!(acts_for(&app, &other).await.1.is_empty(), "not made an owner of another's business");

        // Every step is audited, and the person reads it in plain words.
        let db = app.db().await;
        for action in ["claim.make", "claim.refuse", "claim.approve", "dependant.add"] {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action).fetch_one(db.pool()).await.unwrap();
            assert!(n >= 1, "{action} audited");
        }
        db.close().await;
        let activity = p.get("/account/activity").await;
        assert!(activity.html.contains("could not approve it") && activity.html.contains("Staff Member"),
            "{}", activity.html);
    }
}
