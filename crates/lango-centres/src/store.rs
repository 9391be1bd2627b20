//! The centres' SQL: a centre is written whole (its offer, counters and schedule replaced
//! in one transaction) and read whole.

use crate::model::{self, Centre, Counter, Hours, Kind, Offer, Status, Visit};
use lango_core::clock::now_ms;
use lango_core::Result;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str =
    "code, name, name_sw, kind, county, address, lat_e6, lon_e6, operator, hours, priority_lanes, status";

fn centre_of(r: &AnyRow) -> Result<Centre> {
    let hours: String = r.try_get("hours")?;
    let lanes: String = r.try_get("priority_lanes")?;
    Ok(Centre {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        name_sw: r.try_get("name_sw")?,
        kind: r.try_get::<String, _>("kind")?.parse::<Kind>()?,
        county: r.try_get("county")?,
        address: r.try_get("address")?,
        lat_e6: r.try_get("lat_e6")?,
        lon_e6: r.try_get("lon_e6")?,
        operator: r.try_get("operator")?,
        // Written by this crate from parsed values: they parse back.
        hours: model::parse_hours(&hours).unwrap_or_default(),
        lanes: model::parse_lanes(&lanes).unwrap_or_default(),
        status: r.try_get::<String, _>("status")?.parse::<Status>()?,
        offers: Vec::new(),
        counters: Vec::new(),
        schedule: Vec::new(),
    })
}

/// The rows of `table` (`columns`, in `order`) for the centres filled: one centre's when
/// there is one, every row otherwise, each paired with the index of its centre.
async fn rows_of(
    conn: &mut sqlx::AnyConnection,
    centres: &[Centre],
    table: &str,
    columns: &str,
    order: &str,
) -> Result<Vec<(usize, AnyRow)>> {
    let one = centres.len() == 1;
    let filter = if one { "WHERE centre = $1" } else { "" };
    let q = format!("SELECT centre, {columns} FROM {table} {filter} ORDER BY centre, {order}");
    let mut query = sqlx::query(&q);
    if one {
        query = query.bind(&centres[0].code);
    }
    let mut out = Vec::new();
    for r in query.fetch_all(&mut *conn).await? {
        let centre: String = r.try_get("centre")?;
        if let Some(i) = centres.iter().position(|c| c.code == centre) {
            out.push((i, r));
        }
    }
    Ok(out)
}

/// Fills in the offer, counters and schedule of `centres` (three queries in all).
async fn fill(conn: &mut sqlx::AnyConnection, centres: &mut [Centre]) -> Result<()> {
    if centres.is_empty() {
        return Ok(());
    }
    let offers = rows_of(
        conn,
        centres,
        "centre_services",
        "service, daily_cap, minutes, letter",
        "letter, service",
    )
    .await?;
    for (i, r) in offers {
        let letter: String = r.try_get("letter")?;
        centres[i].offers.push(Offer {
            service: r.try_get("service")?,
            daily_cap: r.try_get::<i64, _>("daily_cap")? as u32,
            minutes: r.try_get::<i64, _>("minutes")? as u16,
            letter: letter.chars().next().unwrap_or('A'),
        });
    }
    let counters = rows_of(
        conn,
        centres,
        "centre_counters",
        "code, services",
        "LENGTH(code), code",
    )
    .await?;
    for (i, r) in counters {
        let services: String = r.try_get("services")?;
        centres[i].counters.push(Counter {
            code: r.try_get("code")?,
            services: services.split('+').map(String::from).collect(),
        });
    }
    let visits = rows_of(
        conn,
        centres,
        "centre_visits",
        "day, place, county, opens, closes",
        "day",
    )
    .await?;
    for (i, r) in visits {
        centres[i].schedule.push(Visit {
            date: r.try_get("day")?,
            place: r.try_get("place")?,
            county: r.try_get("county")?,
            opens: r.try_get::<i64, _>("opens")? as u16,
            closes: r.try_get::<i64, _>("closes")? as u16,
        });
    }
    Ok(())
}

/// The centre `code`, whole.
pub async fn get(conn: &mut sqlx::AnyConnection, code: &str) -> Result<Option<Centre>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM centres WHERE code = $1"))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut one = [centre_of(&row)?];
    fill(conn, &mut one).await?;
    let [c] = one;
    Ok(Some(c))
}

/// Every centre, whole, by county then name.
pub async fn all(conn: &mut sqlx::AnyConnection) -> Result<Vec<Centre>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM centres ORDER BY county, name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut centres = rows.iter().map(centre_of).collect::<Result<Vec<_>>>()?;
    fill(conn, &mut centres).await?;
    Ok(centres)
}

/// Writes `c` whole: inserted, or replacing what was stored under its code.
pub async fn put(tx: &mut sqlx::AnyConnection, c: &Centre) -> Result<()> {
    sqlx::query(
        "INSERT INTO centres (code, name, name_sw, kind, county, address, lat_e6, lon_e6, operator, hours, priority_lanes, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_sw = excluded.name_sw, kind = excluded.kind, \
         county = excluded.county, address = excluded.address, lat_e6 = excluded.lat_e6, lon_e6 = excluded.lon_e6, \
         operator = excluded.operator, hours = excluded.hours, priority_lanes = excluded.priority_lanes, \
         status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.name_sw)
    .bind(c.kind.as_str())
    .bind(&c.county)
    .bind(&c.address)
    .bind(c.lat_e6)
    .bind(c.lon_e6)
    .bind(&c.operator)
    .bind(model::hours_text(&c.hours))
    .bind(c.lanes.join(";"))
    .bind(c.status.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    for table in ["centre_services", "centre_counters", "centre_visits"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE centre = $1"))
            .bind(&c.code)
            .execute(&mut *tx)
            .await?;
    }
    for o in &c.offers {
        sqlx::query("INSERT INTO centre_services (centre, service, daily_cap, minutes, letter) VALUES ($1, $2, $3, $4, $5)")
            .bind(&c.code)
            .bind(&o.service)
            .bind(i64::from(o.daily_cap))
            .bind(i64::from(o.minutes))
            .bind(o.letter.to_string())
            .execute(&mut *tx)
            .await?;
    }
    for k in &c.counters {
        sqlx::query("INSERT INTO centre_counters (centre, code, services) VALUES ($1, $2, $3)")
            .bind(&c.code)
            .bind(&k.code)
            .bind(k.services.join("+"))
            .execute(&mut *tx)
            .await?;
    }
    for v in &c.schedule {
        sqlx::query("INSERT INTO centre_visits (centre, day, place, county, opens, closes) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&c.code)
            .bind(&v.date)
            .bind(&v.place)
            .bind(&v.county)
            .bind(i64::from(v.opens))
            .bind(i64::from(v.closes))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// A closure: a centre (or, with centre `""`, every centre) shut on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Closure {
    /// The centre, or `""` for a public holiday.
    pub centre: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Why, as shown to people.
    pub reason: String,
}

/// Why `centre` is shut on `day`, if it is.
pub async fn closed(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    day: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT reason FROM centre_closures WHERE day = $1 AND (centre = $2 OR centre = '') ORDER BY centre LIMIT 1",
    )
    .bind(day)
    .bind(centre)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Closures of `centre` (and public holidays) from `from` on.
pub async fn closures(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    from: &str,
) -> Result<Vec<Closure>> {
    let rows = sqlx::query(
        "SELECT centre, day, reason FROM centre_closures WHERE day >= $1 AND (centre = $2 OR centre = '') ORDER BY day, centre",
    )
    .bind(from)
    .bind(centre)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Closure {
                centre: r.try_get("centre")?,
                day: r.try_get("day")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Adds (or renames) a closure.
pub async fn close(tx: &mut sqlx::AnyConnection, c: &Closure) -> Result<()> {
    sqlx::query(
        "INSERT INTO centre_closures (centre, day, reason) VALUES ($1, $2, $3) \
         ON CONFLICT (centre, day) DO UPDATE SET reason = excluded.reason",
    )
    .bind(&c.centre)
    .bind(&c.day)
    .bind(&c.reason)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Removes a closure; true when there was one.
pub async fn reopen(tx: &mut sqlx::AnyConnection, centre: &str, day: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM centre_closures WHERE centre = $1 AND day = $2")
        .bind(centre)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Puts in the served country's public holidays of `year` once: a holiday an administrator removed
/// stays removed.
pub async fn seed_holidays(db: &lango_core::db::Db, year: i64) -> Result<()> {
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    if lango_core::db::next_counter(&mut tx, &format!("holidays:{year}")).await? == 1 {
        for (day, reason) in crate::calendar::public_holidays(year) {
            sqlx::query("INSERT INTO centre_closures (centre, day, reason) VALUES ('', $1, $2) ON CONFLICT (centre, day) DO NOTHING")
                .bind(day)
                .bind(reason)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// `(code, services)` of counter `counter` at `centre`.
pub async fn counter_services(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    counter: &str,
) -> Result<Option<Vec<String>>> {
    let s: Option<String> =
        sqlx::query_scalar("SELECT services FROM centre_counters WHERE centre = $1 AND code = $2")
            .bind(centre)
            .bind(counter)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(s.map(|s| s.split('+').map(String::from).collect()))
}

/// The hours of `centre` on `day`: its schedule's stop for a mobile centre, its weekly
/// hours otherwise; `None` when shut (a closure, a holiday, no hours that weekday).
pub async fn hours_on(
    conn: &mut sqlx::AnyConnection,
    c: &Centre,
    day: &str,
) -> Result<Option<Hours>> {
    if c.status != Status::Open || closed(conn, &c.code, day).await?.is_some() {
        return Ok(None);
    }
    let weekday = crate::calendar::weekday(day);
    Ok(if c.kind == Kind::Mobile {
        c.schedule.iter().find(|v| v.date == day).map(|v| Hours {
            day: weekday,
            opens: v.opens,
            closes: v.closes,
        })
    } else {
        c.hours.iter().find(|h| h.day == weekday).copied()
    })
}
