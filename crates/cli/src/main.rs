//! `dandang`: the server and the local command line. Local commands call the
//! app layer directly, never the HTTP API.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use clap::{Args, Parser, Subcommand};
use dandang_app::{App, AppError, Config, PolicyState, policy, workdays};

#[derive(Parser)]
#[command(name = "dandang", version, about = "担当：干部担当作为激励与约束管理系统")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Common {
    /// 配置文件（可选）
    #[arg(long, global = true, default_value = "dandang.toml", env = "DANDANG_CONFIG")]
    config: PathBuf,
    /// 数据库地址：sqlite://路径 或 postgres://…
    #[arg(long, global = true, env = "DANDANG_DB")]
    db: Option<String>,
    /// 规则包目录（不指定时使用程序内置的规则包）
    #[arg(long, global = true, env = "DANDANG_POLICY_DIR")]
    policy_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// 启动网页和接口服务
    Serve {
        /// 数据库为空时载入演示数据（湖北省宜昌市、荆州市）
        #[arg(long)]
        demo: bool,
        /// 监听地址，默认 127.0.0.1:8080
        #[arg(long)]
        listen: Option<String>,
    },
    /// 执行数据库迁移
    Migrate,
    /// 导入 Excel：先校验；加 --commit 则全部写入或一行不写
    Import {
        /// cadres（干部名册）、units（单位名册）或 appointments（任职经历）
        #[arg(long)]
        kind: String,
        /// 以该用户身份操作（决定管理范围，并记入审计）
        #[arg(long, default_value = "admin")]
        user: String,
        #[arg(long)]
        commit: bool,
        file: PathBuf,
    },
    /// 导出为 .xlsx
    Export {
        /// cadres（干部名册）或 units（单位名册）
        what: String,
        #[arg(long, default_value = "admin")]
        user: String,
        /// 只导出该行政区划（代码）及其下级
        #[arg(long)]
        jurisdiction: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// 规则包
    Policy {
        #[command(subcommand)]
        cmd: PolicyCmd,
    },
    /// 按法定节假日和调休计算工作日
    Workdays {
        #[command(subcommand)]
        cmd: WorkdaysCmd,
    },
    /// 任用资格研判：按处分、处理和问责措施计算影响期
    Eligibility {
        #[command(subcommand)]
        cmd: EligibilityCmd,
    },
    /// 审计记录
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// 检查运行中的服务是否健康（/healthz）
    Healthcheck {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// 输出 OpenAPI 接口文档
    Openapi,
    /// 接口令牌
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
}

#[derive(Subcommand)]
enum PolicyCmd {
    /// 载入全部规则包，报告问题所在文件和行号，并运行规则包自带的用例
    Check,
}

#[derive(Subcommand)]
enum WorkdaysCmd {
    /// 输出 DATE 之后（不含当天）的第 N 个工作日
    Add {
        date: String,
        #[arg(allow_hyphen_values = true)]
        n: String,
    },
    /// 输出满足 FROM < d <= TO 的工作日 d 的个数
    Between {
        #[arg(allow_hyphen_values = true)]
        from: String,
        #[arg(allow_hyphen_values = true)]
        to: String,
    },
    /// 输出 DATE 是工作日、周末、法定节假日还是调休上班日
    Day { date: String },
}

#[derive(Subcommand)]
enum EligibilityCmd {
    /// 读取 JSON 文件（{"as_of": …, "measures": […]}），输出能否提拔及各轨道影响期
    Check {
        /// JSON 文件路径；用 - 表示标准输入
        #[arg(long)]
        input: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// 重新计算哈希链，核对密钥校验码与库外锚点，报告第一处断裂
    Verify,
    /// 立即把当前链头写入库外锚点文件（服务运行时每隔 anchor_every_secs 秒自动写入）
    Anchor,
}

#[derive(Subcommand)]
enum TokenCmd {
    /// 为用户创建令牌，标准输出只打印令牌本身
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "命令行创建")]
        name: String,
    },
}

/// Exit 2 for bad input, 1 for everything else.
fn fail(e: &AppError) -> ExitCode {
    eprintln!("错误：{}", e.message_zh());
    if let AppError::Internal(d) | AppError::Config(d) = e {
        eprintln!("{d}");
    }
    match e {
        AppError::Invalid(_) | AppError::BadRequest(_) | AppError::NotFound(_) | AppError::TooLarge { .. } => {
            ExitCode::from(2)
        }
        _ => ExitCode::from(1),
    }
}

fn config(c: &Common) -> Result<Config, AppError> {
    let mut cfg = Config::load(&c.config)?;
    if let Some(db) = &c.db {
        cfg.db_url = db.clone();
    }
    if let Some(p) = &c.policy_dir {
        cfg.policy_dir = Some(p.clone());
    }
    Ok(cfg)
}

fn init_logs(json: bool) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| {
        EnvFilter::new(if json { "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn" } else { "warn" })
    });
    let b = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        b.json().with_current_span(true).with_span_list(false).init();
    } else {
        b.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(matches!(cli.cmd, Cmd::Serve { .. }));
    match run(cli).await {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let c = cli.common;
    match cli.cmd {
        Cmd::Serve { demo, listen } => {
            let mut cfg = config(&c)?;
            if demo && !c.config.exists() {
                // Without a configuration the packs default to the national
                // one; the demo is a Hubei deployment and applies Hubei's.
                cfg.policy = dandang_demo::policy();
            }
            if let Some(l) = listen {
                cfg.listen = l;
            }
            let listen = cfg.listen.clone();
            let app = App::open(cfg).await?;
            if demo {
                let s = dandang_demo::load(&app).await?;
                if s.loaded_now {
                    println!(
                        "已载入演示数据：{} 个行政区划、{} 个单位、{} 名干部、{} 条任职记录、{} 条处分处理记录、{} 项督查事项、{} 次约谈记录、{} 件工作提醒和约谈（各环节都有）、{} 件容错案件、{} 个典型案例。人物均为虚构。",
                        s.jurisdictions,
                        s.units,
                        s.cadres,
                        s.appointments,
                        s.measures,
                        s.supervised_items,
                        s.interviews,
                        s.supervision_cases,
                        s.tolerance_cases,
                        s.library_cases
                    );
                } else {
                    println!("数据库中已有演示数据，未重复载入。");
                }
                println!("\n演示账号（密码均为 {}）：", dandang_demo::DEMO_PASSWORD);
                println!("  {}{}{}范围", pad("用户名", 14), pad("名称", 26), pad("角色", 18));
                for a in &s.accounts {
                    println!(
                        "  {}{}{}{}",
                        pad(&a.username, 14),
                        pad(&a.display_name, 26),
                        pad(&a.role_label, 18),
                        a.scope
                    );
                }
            } else if let Some(pw) = dandang_app::users::bootstrap_admin(&app).await? {
                println!("已创建管理员账号 admin，一次性密码：{pw}");
                println!("首次登录后须修改密码。");
            }
            println!("\n担当已启动：http://{listen}/   （接口文档：http://{listen}/api/openapi.json）");
            let _ = std::io::stdout().flush();
            dandang_web::serve(app.clone(), &listen).await.map_err(|e| AppError::Config(e.to_string()))?;
            // Events of the last requests are linked before the process ends
            // (they are committed already; this only spares the next start).
            dandang_app::audit::flush(&app).await?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Migrate => {
            let app = App::open(config(&c)?).await?;
            println!("数据库结构已是最新（{} 个待执行迁移）。", app.db().pending_migrations().await?);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Import { kind, user, commit, file } => {
            let app = App::open(config(&c)?).await?;
            let actor = dandang_app::users::actor_by_name(&app, &user).await?;
            let kind = dandang_app::imports::ImportKind::parse(&kind)?;
            let mut bytes = Vec::new();
            std::fs::File::open(&file)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| AppError::BadRequest(format!("无法读取 {}：{e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_message("校验中…");
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            let mut report = dandang_app::imports::validate(&app, &actor, kind, &name, bytes).await?;
            if report.ok && commit {
                pb.set_message("导入中…");
                report = dandang_app::imports::commit(&app, &actor, report.batch_id.expect("stored batch")).await?;
            }
            pb.finish_and_clear();
            for p in &report.problems {
                let at = match (&p.column, &p.header) {
                    (Some(c), Some(h)) => format!("第 {} 行 {c} 列（{h}）", p.row),
                    (None, Some(h)) => format!("第 {} 行（{h}）", p.row),
                    _ if p.row > 0 => format!("第 {} 行", p.row),
                    _ => "文件".to_string(),
                };
                eprintln!("{at}：{}", p.message);
            }
            println!("{}", report.summary_zh());
            if report.ok && !commit {
                println!("加上 --commit 重新运行即可导入。");
            }
            Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
        Cmd::Export { what, user, jurisdiction, out } => {
            let app = App::open(config(&c)?).await?;
            let actor = dandang_app::users::actor_by_name(&app, &user).await?;
            let bytes = match what.as_str() {
                "cadres" => {
                    let q = dandang_app::registry::cadres::CadreQuery { jurisdiction, ..Default::default() };
                    dandang_app::exports::cadres(&app, &actor, &q).await?
                }
                "units" => {
                    let q = dandang_app::registry::units::UnitQuery { jurisdiction, ..Default::default() };
                    dandang_app::exports::units(&app, &actor, &q).await?
                }
                other => return Err(AppError::BadRequest(format!("不能导出“{other}”，可选：cadres、units"))),
            };
            std::fs::write(&out, bytes)
                .map_err(|e| AppError::BadRequest(format!("无法写入 {}：{e}", out.display())))?;
            println!("已导出到 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Policy { cmd: PolicyCmd::Check } => {
            let cfg = config(&c)?;
            let set = match policy::load_configured(&cfg) {
                Ok(s) => s,
                Err(errs) => {
                    for e in &errs {
                        eprintln!("{e}");
                    }
                    eprintln!("规则包有 {} 处错误。", errs.len());
                    return Ok(ExitCode::from(2));
                }
            };
            let outcomes = dandang_domain::policy::run_pack_tests(&set);
            let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
            for o in &failed {
                eprintln!("{}:{}: 未通过「{}」：{}", o.file, o.line, o.name, o.detail);
            }
            let entries: usize = set.packs.values().map(|p| p.entries.values().map(Vec::len).sum::<usize>()).sum();
            println!(
                "{} 个规则包、{} 条规则、{} 份来源文件；自带用例 {}/{} 通过。",
                set.packs.len(),
                entries,
                set.packs.values().map(|p| p.documents.len()).sum::<usize>(),
                outcomes.len() - failed.len(),
                outcomes.len()
            );
            PolicyState::load(&cfg)?;
            Ok(if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Cmd::Workdays { cmd } => {
            let cfg = config(&c)?;
            let policy = PolicyState::load(&cfg)?;
            let cal = policy.default_calendar();
            let warn = |provisional: bool| {
                if provisional {
                    eprintln!("警告：{}", workdays::provisional_warning(cal.loaded_years()));
                }
            };
            match cmd {
                WorkdaysCmd::Add { date, n } => {
                    let d = workdays::parse_date_arg("date", "日期 DATE", &date)?;
                    let n = workdays::parse_n(&n)?;
                    let a = cal.add_working_days(d, n).ok_or(AppError::BadRequest("日期超出可计算范围".into()))?;
                    println!("{}", a.value);
                    warn(a.provisional);
                }
                WorkdaysCmd::Between { from, to } => {
                    let f = workdays::parse_date_arg("from", "开始日期 FROM", &from)?;
                    let t = workdays::parse_date_arg("to", "结束日期 TO", &to)?;
                    if (t - f).num_days().abs() > dandang_domain::calendar::MAX_SPAN_DAYS as i64 {
                        return Err(AppError::BadRequest("日期跨度过大（超过 100 年）".into()));
                    }
                    let a = cal.working_days_between(f, t);
                    println!("{}", a.value);
                    warn(a.provisional);
                }
                WorkdaysCmd::Day { date } => {
                    let d = workdays::parse_date_arg("date", "日期 DATE", &date)?;
                    let a = cal.is_working_day(d);
                    println!("{}", cal.kind(d).label_zh());
                    warn(a.provisional);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Eligibility { cmd: EligibilityCmd::Check { input } } => {
            let cfg = config(&c)?;
            let text = if input.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| AppError::BadRequest(format!("无法读取标准输入：{e}")))?;
                s
            } else {
                std::fs::read_to_string(&input)
                    .map_err(|e| AppError::BadRequest(format!("无法读取 {}：{e}", input.display())))?
            };
            let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                AppError::BadRequest(format!(
                    "{} 不是有效的 JSON（第 {} 行第 {} 列）：{e}",
                    input.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            let policy = PolicyState::load(&cfg)?;
            let out = dandang_app::measures::check(&policy, &body)?;
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Audit { cmd: AuditCmd::Anchor } => {
            let app = App::open(config(&c)?).await?;
            match dandang_app::audit::anchor_now(&app).await? {
                Some(a) => {
                    println!("已写入锚点：链头序号 {}（{}）。", a.seq, app.config().audit_anchor_path().display())
                }
                None => println!("链头未变化，无需写入新锚点。"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Audit { cmd: AuditCmd::Verify } => {
            let app = App::open(config(&c)?).await?;
            let r = dandang_app::audit::verify(&app, None).await?;
            match r.broken {
                None => {
                    println!("审计链完整：已校验 {} 条记录（链头序号 {}）。", r.checked, r.head_seq);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!("审计链断裂：{}", b.message_zh());
                    println!("断裂之前的 {} 条记录完好。", r.checked);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Cmd::Healthcheck { addr } => {
            let ok = tokio::task::spawn_blocking(move || healthcheck(&addr)).await.unwrap_or(false);
            println!("{}", if ok { "ok" } else { "unhealthy" });
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Cmd::Openapi => {
            println!("{}", dandang_web::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Token { cmd: TokenCmd::Create { user, name } } => {
            let app = App::open(config(&c)?).await?;
            // The operator holds the database already: no password is asked.
            let (token, _) = dandang_app::auth::create_token_as_operator(&app, &user, &name).await?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A bare HTTP/1.1 GET: no client library needed to ask one question.
fn healthcheck(addr: &str) -> bool {
    use std::net::{TcpStream, ToSocketAddrs};
    let Some(sock) = addr.to_socket_addrs().ok().and_then(|mut a| a.next()) else { return false };
    let Ok(mut s) = TcpStream::connect_timeout(&sock, std::time::Duration::from_secs(3)) else { return false };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    if s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200") && buf.contains("\"ok\"")
}

/// Pads to a terminal width, counting CJK characters as two columns.
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w).max(1)))
}
