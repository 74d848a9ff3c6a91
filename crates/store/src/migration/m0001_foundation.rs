use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(super) fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(super) async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(format!("{}_{}_{}", if unique { "uq" } else { "ix" }, table, cols.join("_"))).table(table);
    for c in cols {
        idx.col(*c);
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jurisdiction")
                .col(pk_uuid("id"))
                .col(string_len_uniq("code", 12))
                .col(string_len("name", 64))
                .col(string_len("level", 16))
                .col(uuid_null("parent_id"))
                .col(string_len_uniq("path", 160))
                .col(integer("sort_order").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("jurisdiction", "parent_id", "jurisdiction"))
                .to_owned(),
        )
        .await?;
        index(m, "jurisdiction", &["parent_id"], false).await?;

        m.create_table(
            Table::create()
                .table("unit")
                .col(pk_uuid("id"))
                .col(string_len_uniq("name", 128))
                .col(string_len_null("short_name", 64))
                .col(string_len("unit_type", 32))
                .col(uuid("jurisdiction_id"))
                .col(uuid_null("parent_id"))
                .col(string_len("path", 400))
                .col(integer("sort_order").default(0))
                .col(boolean("active").default(true))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("unit", "jurisdiction_id", "jurisdiction"))
                .foreign_key(&mut fk("unit", "parent_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "unit", &["jurisdiction_id"], false).await?;
        index(m, "unit", &["path"], false).await?;

        m.create_table(
            Table::create()
                .table("post")
                .col(pk_uuid("id"))
                .col(uuid("unit_id"))
                .col(string_len("title", 64))
                .col(string_len("level", 16))
                .col(string_len("tier", 16))
                .col(integer("sort_order").default(0))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("post", "unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "post", &["unit_id", "title"], true).await?;

        m.create_table(
            Table::create()
                .table("cadre")
                .col(pk_uuid("id"))
                .col(string_len("name", 32))
                .col(string_len("name_pinyin", 128))
                .col(string_len("name_initials", 32))
                .col(string_len("sex", 8))
                .col(date("birth_date"))
                .col(string_len_null("id_number", 18).unique_key())
                .col(string_len("ethnicity", 16))
                .col(date_null("party_join_date"))
                .col(string_len_null("education", 16))
                .col(string_len_null("degree", 16))
                .col(uuid("unit_id"))
                .col(string_len_null("rank", 32))
                .col(string_len("managed_by", 16))
                .col(boolean("active").default(true))
                .col(text_null("note"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("cadre", "unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "cadre", &["unit_id"], false).await?;
        index(m, "cadre", &["name_pinyin"], false).await?;
        index(m, "cadre", &["name"], false).await?;

        m.create_table(
            Table::create()
                .table("cadre_tag")
                .col(uuid("cadre_id"))
                .col(string_len("tag", 64))
                .primary_key(Index::create().col("cadre_id").col("tag"))
                .foreign_key(&mut fk("cadre_tag", "cadre_id", "cadre"))
                .to_owned(),
        )
        .await?;
        index(m, "cadre_tag", &["tag"], false).await?;

        m.create_table(
            Table::create()
                .table("appointment")
                .col(pk_uuid("id"))
                .col(uuid("cadre_id"))
                .col(uuid("unit_id"))
                .col(uuid_null("post_id"))
                .col(string_len("title", 64))
                .col(string_len_null("tier", 16))
                .col(string_len_null("level", 16))
                .col(string_len_null("rank", 32))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(string_len("reason", 64))
                .col(string_len_null("end_reason", 64))
                .col(string_len_null("document_ref", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("appointment", "cadre_id", "cadre"))
                .foreign_key(&mut fk("appointment", "unit_id", "unit"))
                .foreign_key(&mut fk("appointment", "post_id", "post"))
                .to_owned(),
        )
        .await?;
        index(m, "appointment", &["cadre_id", "start_date"], false).await?;
        index(m, "appointment", &["post_id"], false).await?;

        m.create_table(
            Table::create()
                .table("app_user")
                .col(pk_uuid("id"))
                .col(string_len_uniq("username", 64))
                .col(string_len("display_name", 64))
                .col(string_len("password_hash", 200))
                .col(string_len("role", 32))
                .col(uuid_null("jurisdiction_id"))
                .col(string_len("managed_by", 64))
                .col(uuid_null("unit_id"))
                .col(uuid_null("cadre_id"))
                .col(boolean("active").default(true))
                .col(integer("failed_logins").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(boolean("must_change_password").default(false))
                .col(timestamp_with_time_zone("password_changed_at"))
                .col(integer("version").default(1))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("app_user", "jurisdiction_id", "jurisdiction"))
                .foreign_key(&mut fk("app_user", "unit_id", "unit"))
                .foreign_key(&mut fk("app_user", "cadre_id", "cadre"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("session")
                .col(string_len("id", 64).primary_key())
                .col(uuid("user_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(string_len_null("client", 200))
                .foreign_key(&mut fk("session", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        index(m, "session", &["user_id"], false).await?;

        m.create_table(
            Table::create()
                .table("api_token")
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                .col(string_len("name", 64))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len("prefix", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("api_token", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        index(m, "api_token", &["user_id"], false).await?;

        m.create_table(
            Table::create()
                .table("audit_event")
                .col(pk_uuid("id"))
                .col(big_integer_uniq("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_name", 64))
                .col(string_len("action", 64))
                .col(string_len("entity_type", 32))
                .col(string_len_null("entity_id", 64))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(string_len_null("request_id", 64))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64))
                .to_owned(),
        )
        .await?;
        index(m, "audit_event", &["entity_type", "entity_id"], false).await?;
        index(m, "audit_event", &["actor_id"], false).await?;
        index(m, "audit_event", &["at"], false).await?;

        m.create_table(
            Table::create()
                .table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string_len("hash", 64))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("audit_head")
                .columns(["id", "seq", "hash"])
                .values_panic([1.into(), 0i64.into(), dandang_domain::audit::GENESIS_HASH.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("import_batch")
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string_len("file_name", 200))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .col(string_len("status", 16))
                .col(integer("row_count"))
                .col(integer("error_count"))
                .col(text("report"))
                .col(blob("content"))
                .col(string_len("sha256", 64))
                .col(timestamp_with_time_zone_null("committed_at"))
                .foreign_key(&mut fk("import_batch", "uploaded_by", "app_user"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "import_batch",
            "audit_head",
            "audit_event",
            "api_token",
            "session",
            "app_user",
            "appointment",
            "cadre_tag",
            "cadre",
            "post",
            "unit",
            "jurisdiction",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
