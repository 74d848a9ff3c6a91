//! Roster order and search speed for registries of 100,000 cadres.

use sea_orm_migration::prelude::*;

/// The key as it was defined when this migration was written, for rows that
/// existed before it; later writes compute it in the app.
const POST_RANK_OF_CADRE: &str = "COALESCE((SELECT MIN(CASE a.tier WHEN 'provincial' THEN 0 WHEN 'bureau' THEN 10 \
     WHEN 'county' THEN 20 WHEN 'township' THEN 30 ELSE 40 END + CASE a.level WHEN 'principal' THEN 1 \
     WHEN 'deputy' THEN 2 ELSE 3 END) FROM appointment a WHERE a.cadre_id = cadre.id AND a.end_date IS NULL), 99)";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Rank of a cadre's highest current post (bureau principal = 11 …,
        // none = 99); kept by the app whenever appointments change.
        m.alter_table(
            Table::alter()
                .table("cadre")
                .add_column(ColumnDef::new("post_rank").integer().not_null().default(99))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(Query::update().table("cadre").value("post_rank", Expr::cust(POST_RANK_OF_CADRE)).to_owned())
            .await?;
        // Lets counts and name searches read the index alone.
        m.create_index(
            Index::create()
                .name("ix_cadre_search")
                .table("cadre")
                .col("unit_id")
                .col("active")
                .col("managed_by")
                .col("name")
                .col("name_pinyin")
                .col("name_initials")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cadre_search").table("cadre").to_owned()).await?;
        m.alter_table(Table::alter().table("cadre").drop_column("post_rank").to_owned()).await
    }
}
