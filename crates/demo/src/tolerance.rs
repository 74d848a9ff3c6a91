//! Demo 容错纠错 data: a library of thirty anonymised typical cases (one like
//! the river-contracting case Zhejiang made known) and cases in every state,
//! each step taken by the role that owns it. Every person is invented.

use chrono::Duration;
use dandang_store::entity::library_case;
use uuid::Uuid;

use dandang_app::{
    App, clock,
    error::Result,
    tolerance::{self as tol, AnalysisInput, CaseInput, TransitionInput},
};

use crate::supervision::at;

/// (category id, category, title, facts, reasoning, outcome, year)
const LIBRARY: &[(&str, &str, &str, &str, &str, &str, i32)] = &[
    (
        "tolerance.ground.reform_exploration",
        "改革探索",
        "河道分段承包给渔民治理水环境",
        "某镇副镇长为治理河道水质，将河道分段交由渔民免费养鱼，约定不得投放饲料并负责保洁；为督促履约，从发放给渔民的燃油补贴中预留三成作为保洁保证金，年底全额返还并奖励表现好的渔民。该做法与上级补贴发放规定不符。",
        "出于治水公心、未谋私利，补贴最终全额发放，河道水质明显好转，属于基层治理中的探索性做法。",
        "免予问责",
        2018,
    ),
    (
        "tolerance.situation.tolerant_approval",
        "容缺审批",
        "重点项目容缺受理后补正延迟",
        "某区行政审批局对材料不全的重点项目实行容缺受理，企业承诺的补正材料延迟两个月提交，被群众举报违规审批。",
        "容缺受理经局务会研究，有书面承诺和跟踪台账，延迟补正系企业原因，未造成损失。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.situation.risky_decision",
        "风险决策",
        "应急采购价格高于市场价",
        "疫情期间某县卫健局紧急采购防护物资，价格高于平时市场价约两成，审计指出采购程序不完整。",
        "情况紧急、供应紧张，经集体决策并留存比价记录，物资全部用于防控。",
        "不予问责",
        2020,
    ),
    (
        "tolerance.situation.new_business",
        "新业态培育监管",
        "共享单车投放监管失误",
        "某市城管部门在共享单车试点中放宽投放审批，部分区域车辆淤积影响通行。",
        "新业态监管无成熟规定，部门及时调整投放总量并清理淤积车辆。",
        "免予问责",
        2019,
    ),
    (
        "tolerance.situation.unclear_duties",
        "职责不清主动衔接",
        "跨部门管线施工协调失误",
        "某街道在管线迁改职责不清的情况下主动牵头协调，因施工衔接不畅导致短时停水。",
        "职责不明时主动担当，及时组织抢修，群众反映理解。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.ground.force_majeure",
        "不可抗力",
        "汛期堤防管涌处置",
        "某乡在汛期组织堤防巡查，突发管涌造成部分农田受淹，被追究巡查责任。",
        "巡查记录完整、已履职尽责，管涌系超标准洪水引起，难以预见。",
        "不予问责",
        2020,
    ),
    (
        "tolerance.ground.opposed_decision",
        "明确反对错误决策",
        "班子会上对违规出借资金提出反对",
        "某国有企业班子违规决定出借资金造成损失，一名副总经理在会上明确表示反对并记录在案。",
        "对错误决策明确提出反对意见，依规不予问责。",
        "不予问责",
        2021,
    ),
    (
        "tolerance.mitigation.remedy",
        "及时补救",
        "招商项目土地出让程序瑕疵",
        "某开发区为留住重大项目，在规划调整未获批前签订出让意向，后被通报程序不规范。",
        "主动补办手续、未造成国有资产损失，从轻处理。",
        "从轻问责",
        2022,
    ),
    (
        "tolerance.ground.reform_exploration",
        "改革探索",
        "政务服务“一窗受理”改革系统故障",
        "某区推进“一窗受理”改革，新系统上线初期数据迁移错误导致部分业务延误。",
        "改革探索中的技术性失误，已及时恢复并向群众说明。",
        "免予问责",
        2019,
    ),
    (
        "tolerance.situation.risky_decision",
        "风险决策",
        "企业纾困资金提前拨付",
        "某县为稳就业提前向困难企业拨付纾困资金，其中一家企业后来破产，资金未能全部收回。",
        "经集体决策、有评估报告，企业破产属市场风险，已依法申报债权。",
        "免予问责",
        2022,
    ),
    (
        "tolerance.situation.tolerant_approval",
        "容缺审批",
        "农业项目先建后补手续",
        "某乡为赶农时，在设施农业用地备案未完成前允许合作社搭建育秧大棚。",
        "为保障春耕，边建边补，手续已于一个月内补齐。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.ground.reform_exploration",
        "改革探索",
        "村级集体经济入股分红方式创新",
        "某村将扶贫资金入股龙头企业按固定比例分红，被指与资金使用规定不完全一致。",
        "探索增加村集体收入的新路子，资金安全、分红到位，群众满意。",
        "免予问责",
        2018,
    ),
    (
        "tolerance.mitigation.cooperation",
        "积极配合",
        "项目验收把关不严",
        "某局在工程验收中未发现部分隐蔽工程质量问题，后经审计发现。",
        "主动说明情况、配合审计整改，督促施工方返工。",
        "减轻问责",
        2021,
    ),
    (
        "tolerance.situation.new_business",
        "新业态培育监管",
        "直播电商产业园扶持政策兑现争议",
        "某区对入驻直播电商园区企业先行兑现奖励，部分企业未达到约定营业额。",
        "新业态扶持缺乏先例，已按约定追回奖励。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.ground.force_majeure",
        "不可抗力",
        "冰冻灾害导致供水中断",
        "某镇供水站因持续冰冻灾害管网冻裂，停水三天，被追究应急保障责任。",
        "已按预案储备物资并组织抢修，灾害强度超出设计标准。",
        "不予问责",
        2024,
    ),
    (
        "tolerance.situation.unclear_duties",
        "职责不清主动衔接",
        "无主建筑安全隐患处置",
        "某街道对产权不明的危房主动牵头排险，拆除过程中与权利人产生纠纷。",
        "为消除公共安全隐患主动作为，程序基本完备。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.mitigation.remedy",
        "及时补救",
        "补贴发放对象审核疏漏",
        "某局在惠企补贴审核中遗漏一项资格条件，多发补贴若干。",
        "发现后立即追回全部资金并完善审核流程，从轻处理。",
        "从轻问责",
        2022,
    ),
    (
        "tolerance.ground.reform_exploration",
        "改革探索",
        "医保基金按病种付费试点超支",
        "某县医保局开展按病种付费改革试点，首年基金支出超过预算。",
        "国家鼓励的改革试点，测算依据充分，次年及时调整分组。",
        "免予问责",
        2021,
    ),
    (
        "tolerance.situation.risky_decision",
        "风险决策",
        "招引项目对赌协议失败",
        "某开发区与企业签订产值对赌协议给予奖励，企业未达标，奖励追回存在困难。",
        "经法律顾问审查和集体决策，已启动法律程序追偿。",
        "从轻问责",
        2022,
    ),
    (
        "tolerance.situation.tolerant_approval",
        "容缺审批",
        "学校改扩建先行开工",
        "某区为保障秋季开学，在施工许可办结前允许学校改扩建工程开工。",
        "为民办实事，经区政府常务会研究，手续随后补齐。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.ground.opposed_decision",
        "明确反对错误决策",
        "村务会议对违规发包提出保留意见",
        "某村委会违规发包集体鱼塘，村监委会主任当场提出保留意见并书面报告乡镇。",
        "已明确提出保留意见并报告，依规不予问责。",
        "不予问责",
        2020,
    ),
    (
        "tolerance.ground.force_majeure",
        "不可抗力",
        "山体滑坡损毁新建道路",
        "某乡新建通村公路竣工不久遭遇强降雨引发山体滑坡，路基损毁。",
        "设计施工合规，灾害属极端天气，已及时抢通。",
        "不予问责",
        2021,
    ),
    (
        "tolerance.mitigation.remedy",
        "及时补救",
        "政府采购合同条款疏漏",
        "某中心在采购合同中遗漏违约责任条款，供应商延期交货无法追责。",
        "发现后补签补充协议，未造成实际损失。",
        "从轻问责",
        2020,
    ),
    (
        "tolerance.situation.new_business",
        "新业态培育监管",
        "低空经济试飞审批失误",
        "某区在无人机物流试飞中简化审批，一次试飞偏离航线。",
        "新领域缺少成熟监管规则，已完善航线审批和应急预案。",
        "免予问责",
        2024,
    ),
    (
        "tolerance.ground.reform_exploration",
        "改革探索",
        "农村宅基地有偿退出试点资金使用",
        "某镇在宅基地有偿退出试点中提前支付补偿款，部分农户未按期腾退。",
        "试点探索，补偿款已通过协议约定予以保障。",
        "免予问责",
        2020,
    ),
    (
        "tolerance.mitigation.cooperation",
        "积极配合",
        "工程款拨付进度过快",
        "某局在工程进度未达约定比例时提前拨付进度款。",
        "主动承担责任、督促施工方加快进度，款项安全。",
        "减轻问责",
        2022,
    ),
    (
        "tolerance.situation.unclear_duties",
        "职责不清主动衔接",
        "跨区域河道污染应急处置",
        "某镇在上下游职责不清的情况下主动处置跨界河道污染，处置费用超出预算。",
        "主动担当避免污染扩散，费用已按规定分摊。",
        "免予问责",
        2022,
    ),
    (
        "tolerance.situation.risky_decision",
        "风险决策",
        "文旅项目市场化运营亏损",
        "某县国有文旅公司引入社会资本运营景区，首年亏损。",
        "决策程序完备、风险评估充分，亏损属市场因素。",
        "免予问责",
        2023,
    ),
    (
        "tolerance.mitigation.remedy",
        "及时补救",
        "民生实事项目延期",
        "某局承诺的民生实事项目因设计变更延期两个月，被督查通报。",
        "及时调整计划并向群众公开说明，项目最终完成。",
        "从轻问责",
        2024,
    ),
    (
        "tolerance.situation.tolerant_approval",
        "容缺审批",
        "企业开办“先照后证”办理差错",
        "某市场监管所推行企业开办即办，一家企业许可条件审查疏漏。",
        "改革初期的工作瑕疵，已督促企业完善条件。",
        "免予问责",
        2023,
    ),
];

pub async fn load(app: &App, subjects: &[Uuid]) -> Result<(usize, usize)> {
    let today = clock::today();
    let ago = |n: i64| today - Duration::days(n);
    // The library belongs to the province (visible to every city and county) and to Yichang.
    let admin0 = dandang_app::users::actor_by_name(app, "admin").await?;
    let hb = dandang_store::registry::jurisdiction_by_code(app.db().read(), &admin0.scope, "420000").await?;
    let yc = dandang_store::registry::jurisdiction_by_code(app.db().read(), &admin0.scope, "420500").await?;
    let (Some(hb), Some(yc)) = (hb, yc) else { return Ok((0, 0)) };
    for (i, (cat, label, title, facts, reasoning, outcome, year)) in LIBRARY.iter().enumerate() {
        let yichang = matches!(*cat, c if c.starts_with("tolerance.situation."));
        dandang_app::tolerance::library::insert(
            app,
            library_case::Model {
                id: Uuid::now_v7(),
                jurisdiction_id: if yichang { yc.id } else { hb.id },
                source_case_id: None,
                category: cat.to_string(),
                category_label: label.to_string(),
                title: title.to_string(),
                facts: facts.to_string(),
                reasoning: reasoning.to_string(),
                outcome: outcome.to_string(),
                year: *year,
                published_by: if yichang {
                    "宜昌市容错纠错工作领导小组办公室".into()
                } else {
                    "湖北省委组织部".into()
                },
                published_at: at(ago(400 - i as i64 * 10), 10),
            },
        )
        .await?;
    }
    // Departments' positive and negative lists.
    let names = ["宜昌市发展和改革委员会".to_string(), "宜昌市审计局".to_string()];
    let units = dandang_store::registry::units_by_names(app.db().read(), &admin0.scope, &names).await?;
    for (unit, kind, text) in [
        ("宜昌市发展和改革委员会", "positive", "重大项目前期工作中为抢抓政策窗口先行开展的论证和申报"),
        ("宜昌市发展和改革委员会", "positive", "经集体决策的容缺受理、并联审批中的程序瑕疵"),
        ("宜昌市发展和改革委员会", "negative", "借项目申报为本人或亲友谋取利益"),
        ("宜昌市审计局", "positive", "改革试点中因政策调整导致的资金使用偏差，已及时纠正的"),
        ("宜昌市审计局", "negative", "审计发现问题后拒不整改、虚假整改"),
    ] {
        if let Some(u) = units.iter().find(|u| u.name == unit) {
            let input = dandang_app::tolerance::library::ListItemInput {
                unit_id: Some(u.id),
                kind: kind.into(),
                text: text.into(),
            };
            dandang_app::tolerance::library::add_list_item(app, &admin0, &input).await?;
        }
    }
    // Cases in every state, on city-managed cadres of the city bureaus.
    let jiwei = dandang_app::users::actor_by_name(app, "yc_jiwei").await?;
    let admin = dandang_app::users::actor_by_name(app, "admin").await?;
    let step = |action: &str, note: &str| TransitionInput {
        action: action.into(),
        note: (!note.is_empty()).then(|| note.to_string()),
        ..Default::default()
    };
    let decide = |corrections: bool| TransitionInput {
        action: "decide".into(),
        note: Some("经集体研究，予以免责。".into()),
        outcome: Some("tolerance.outcome.exempted".into()),
        matched: vec!["tolerance.situation.risky_decision".into()],
        corrections: corrections.then(|| "完善重大事项风险评估和集体决策程序。".into()),
        deciding_body: Some("宜昌市纪委监委".into()),
        meeting: Some("市纪委常委会会议".into()),
        document_ref: None,
        ..Default::default()
    };
    // How far each case goes: 0 started … 8 appealed, 9 refused, 10 withdrawn.
    let scripts: Vec<Vec<TransitionInput>> = vec![
        vec![],
        vec![step("accept", "")],
        vec![step("accept", ""), step("invite_joint_review", "请市发改委、市审计局会商")],
        vec![step("accept", ""), step("submit_for_decision", "提请集体研究")],
        vec![step("accept", ""), step("submit_for_decision", "提请集体研究"), decide(true)],
        vec![
            step("accept", ""),
            step("submit_for_decision", "提请集体研究"),
            decide(true),
            step("serve", "当面送达，本人签收"),
            step("report_correction", "已建立风险评估制度"),
        ],
        vec![
            step("accept", ""),
            step("submit_for_decision", "提请集体研究"),
            decide(false),
            step("serve", "当面送达，本人签收"),
        ],
        vec![
            step("accept", ""),
            step("submit_for_decision", "提请集体研究"),
            decide(true),
            step("serve", "当面送达，本人签收"),
            step("report_correction", "已整改"),
            step("sign_off", "整改到位，予以销号"),
        ],
        vec![
            step("accept", ""),
            step("submit_for_decision", "提请集体研究"),
            decide(false),
            step("serve", "邮寄送达"),
            step("appeal", "对认定的情形有异议"),
        ],
        vec![step("refuse", "不属于容错纠错受理范围"), step("serve", "邮寄送达")],
        vec![step("withdraw", "情况已另行说明")],
    ];
    // Each decision its own number, counting up with the decision dates
    // (later scripts were opened, and decided, earlier).
    let decisions = scripts.iter().flatten().filter(|t| t.action == "decide").count();
    let mut k = 0;
    let scripts: Vec<Vec<TransitionInput>> = scripts
        .into_iter()
        .map(|s| {
            s.into_iter()
                .map(|mut t| {
                    if t.action == "decide" {
                        t.document_ref = Some(format!("宜纪容〔2026〕{}号", decisions - k));
                        k += 1;
                    }
                    t
                })
                .collect()
        })
        .collect();
    let mut n = 0;
    for (i, script) in scripts.into_iter().enumerate() {
        let Some(cadre) = subjects.get(i % subjects.len().max(1)) else { break };
        let opened = 3 + i as i64 * 4;
        // The withdrawn one was an application by the unit, the refused one the
        // cadre's own; the rest began ex officio.
        let withdrawn = script.iter().any(|s| s.action == "withdraw");
        let refused = script.iter().any(|s| s.action == "refuse");
        let applied = withdrawn || refused;
        let input = CaseInput {
            cadre_id: *cadre,
            origin: if withdrawn {
                "unit_application".into()
            } else if refused {
                "cadre_application".into()
            } else {
                "ex_officio".into()
            },
            event_on: ago(opened + 90).to_string(),
            facts: "在推进重点项目中作出风险决策，后因市场变化造成一定损失，被提出问责。".into(),
            claimed: if applied { vec!["tolerance.situation.risky_decision".into()] } else { vec![] },
            measure_id: None,
            filing_id: None,
            statement: None,
        };
        let opener = if applied { &admin } else { &jiwei };
        let v = tol::open_on(app, opener, &input, ago(opened), at(ago(opened), 9)).await?;
        let mut day = opened;
        for s in &script {
            day -= 2;
            if s.action == "submit_for_decision" {
                let c = tol::get(app, &jiwei, v.id).await?;
                let crit = tol::criteria(app, &c.pack, c.event_on);
                let analysis = AnalysisInput {
                    answers: [
                        ("tolerance.fact.private_gain", "no"),
                        ("tolerance.fact.knowing_violation", "no"),
                        ("tolerance.fact.explicit_prohibition", "no"),
                        ("tolerance.fact.risky_decision", "yes"),
                    ]
                    .iter()
                    .filter(|(f, _)| crit.facts.iter().any(|x| x.id == *f))
                    .map(|(f, a)| (f.to_string(), a.to_string()))
                    .collect(),
                    analysis: crit.factors.iter().map(|f| (f.id.clone(), "经核查，情况属实。".to_string())).collect(),
                    statement: None,
                    version: None,
                };
                tol::record_analysis(app, &jiwei, v.id, &analysis).await?;
            }
            let who = match s.action.as_str() {
                "report_correction" | "appeal" | "withdraw" => &admin,
                _ => &jiwei,
            };
            // Served the day the step is recorded.
            let served = TransitionInput { served_on: Some(ago(day).to_string()), ..s.clone() };
            let s = if s.action == "serve" { &served } else { s };
            tol::transition_on(app, who, v.id, s, ago(day), at(ago(day), 15)).await?;
        }
        n += 1;
    }
    Ok((LIBRARY.len(), n))
}

/// Takes a measure through the tolerance procedure to an exemption: a case
/// opened ex officio on it, accepted, analysed, decided and served. The only
/// way a measure is exempted.
pub async fn exempt_by_decision(
    app: &App,
    cadre: Uuid,
    measure: Uuid,
    document_ref: &str,
    decided_on: chrono::NaiveDate,
) -> Result<()> {
    let jiwei = dandang_app::users::actor_by_name(app, "yc_jiwei").await?;
    let opened = decided_on - Duration::days(20);
    let input = CaseInput {
        cadre_id: cadre,
        origin: "ex_officio".into(),
        event_on: (opened - Duration::days(60)).to_string(),
        facts: "招商引资项目先行先试中程序存在瑕疵，造成一定损失。".into(),
        claimed: vec![],
        measure_id: Some(measure),
        filing_id: None,
        statement: None,
    };
    let v = tol::open_on(app, &jiwei, &input, opened, at(opened, 9)).await?;
    let crit = tol::criteria(app, &v.pack, v.event_on);
    let step = |action: &str, note: &str| TransitionInput {
        action: action.into(),
        note: (!note.is_empty()).then(|| note.to_string()),
        ..Default::default()
    };
    tol::transition_on(app, &jiwei, v.id, &step("accept", ""), opened, at(opened, 10)).await?;
    let analysis = AnalysisInput {
        answers: [
            ("tolerance.fact.private_gain", "no"),
            ("tolerance.fact.knowing_violation", "no"),
            ("tolerance.fact.explicit_prohibition", "no"),
            ("tolerance.fact.risky_decision", "yes"),
        ]
        .iter()
        .filter(|(f, _)| crit.facts.iter().any(|x| x.id == *f))
        .map(|(f, a)| (f.to_string(), a.to_string()))
        .collect(),
        analysis: crit.factors.iter().map(|f| (f.id.clone(), "经核查，情况属实。".to_string())).collect(),
        statement: None,
        version: None,
    };
    tol::record_analysis(app, &jiwei, v.id, &analysis).await?;
    let day = opened + Duration::days(10);
    tol::transition_on(app, &jiwei, v.id, &step("submit_for_decision", "提请集体研究"), day, at(day, 10)).await?;
    let decide = TransitionInput {
        action: "decide".into(),
        note: Some("经集体研究，予以免责。".into()),
        outcome: Some("tolerance.outcome.exempted".into()),
        matched: vec!["tolerance.situation.risky_decision".into()],
        deciding_body: Some("宜昌市纪委监委".into()),
        meeting: Some("市纪委常委会会议".into()),
        document_ref: Some(document_ref.into()),
        ..Default::default()
    };
    tol::transition_on(app, &jiwei, v.id, &decide, decided_on, at(decided_on, 15)).await?;
    let served = decided_on + Duration::days(2);
    let serve = TransitionInput { served_on: Some(served.to_string()), ..step("serve", "当面送达，本人签收") };
    tol::transition_on(app, &jiwei, v.id, &serve, served, at(served, 16)).await?;
    Ok(())
}
