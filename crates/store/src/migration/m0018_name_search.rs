//! Every spelling of a name for search (issue 13: 陈长江 was found by "czj"
//! but not by "ccj"). The keys are derived from the name by
//! `dandang_domain::text::name_keys`, recomputed here for the rows that exist
//! — the sort key too, as polyphones now take the reading usual in names (a
//! later change of `name_keys` needs its own recompute).

use sea_orm::FromQueryResult;
use sea_orm_migration::prelude::*;
use uuid::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    name: String,
}

const PAGE: u64 = 1_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("cadre")
                .add_column(ColumnDef::new("name_search").string_len(1024).not_null().default(""))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let mut last: Option<Uuid> = None;
        loop {
            let mut q = Query::select();
            q.columns(["id", "name"]).from("cadre").order_by("id", Order::Asc).limit(PAGE);
            if let Some(l) = last {
                q.and_where(Expr::col("id").gt(l));
            }
            let rows = Row::find_by_statement(backend.build(&q)).all(db).await?;
            let Some(end) = rows.last().map(|r| r.id) else { break };
            for r in &rows {
                let k = dandang_domain::text::name_keys(&r.name);
                m.exec_stmt(
                    Query::update()
                        .table("cadre")
                        .values([
                            ("name_pinyin", k.pinyin.into()),
                            ("name_initials", k.initials.into()),
                            ("name_search", k.search.into()),
                        ])
                        .and_where(Expr::col("id").eq(r.id))
                        .to_owned(),
                )
                .await?;
            }
            last = Some(end);
        }
        // Name searches read the index alone, as they did (migration 2).
        m.drop_index(Index::drop().name("ix_cadre_search").table("cadre").to_owned()).await?;
        m.create_index(search_index("ix_cadre_names", &["name", "name_search"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cadre_names").table("cadre").to_owned()).await?;
        m.create_index(search_index("ix_cadre_search", &["name", "name_pinyin", "name_initials"])).await?;
        m.alter_table(Table::alter().table("cadre").drop_column("name_search").to_owned()).await
    }
}

fn search_index(name: &str, names: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table("cadre").col("unit_id").col("active").col("managed_by");
    for n in names {
        i.col(*n);
    }
    i.to_owned()
}
