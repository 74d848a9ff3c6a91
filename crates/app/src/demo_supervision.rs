//! Demo 督查问效 data, through the use cases: items in every light and a
//! cadre interviewed three times within a year. Dates are relative to the
//! day the demo is loaded.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::{
    App, clock,
    error::Result,
    supervision::{self as sv, InterviewInput, ItemInput, MilestoneInput, ResponsibleInput},
};

pub async fn load(app: &App, units: &[(String, Uuid)], interviewee: Option<Uuid>) -> Result<(usize, usize)> {
    let actor = crate::users::actor_by_name(app, "admin").await?;
    let today = clock::today();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let unit = |name: &str| units.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
    let mut items = 0;
    for (title, lead, co, deadline, milestone) in [
        ("中心城区交通拥堵综合治理", "宜昌市交通运输局", "宜昌市财政局", 75, Some(("完成治理方案", -6))),
        ("重点项目审批提速", "宜昌市发展和改革委员会", "宜昌市商务局", 2, None),
        ("老旧小区改造年度任务", "宜昌市住房和城乡建设局", "宜昌市财政局", 120, Some(("完成首批开工", 30))),
        ("安全生产专项整治", "宜昌市应急管理局", "宜昌市交通运输局", 45, Some(("隐患排查", -1))),
        ("长江大保护问题整改", "宜昌市生态环境局", "宜昌市农业农村局", 200, Some(("制定整改清单", 60))),
    ] {
        let (Some(lead), Some(co)) = (unit(lead), unit(co)) else { continue };
        let input = ItemInput {
            title: title.into(),
            source: "市委常委会会议决定事项".into(),
            lead_unit_id: lead,
            co_unit_ids: vec![co],
            responsible: ResponsibleInput {
                principal: Some("单位主要负责人".into()),
                leader_in_charge: Some("分管负责人".into()),
                direct_responsible: Some("责任科室负责人".into()),
            },
            deadline: day(deadline),
            milestones: milestone
                .map(|(t, d)| vec![MilestoneInput { title: t.into(), due: day(d) }])
                .unwrap_or_default(),
        };
        sv::create_item(app, &actor, &input).await?;
        items += 1;
    }
    let mut interviews = 0;
    if let Some(cadre) = interviewee {
        let trig = sv::triggers_in(app, "cn-hb-yc", today).items.first().map(|t| t.id.clone());
        for months in [10u32, 5, 1] {
            let held: NaiveDate = today.checked_sub_months(chrono::Months::new(months)).unwrap_or(today);
            let input = InterviewInput {
                cadre_id: cadre,
                held_on: held.to_string(),
                triggers: trig.iter().cloned().collect(),
                record: "重点工作推进滞后，主约谈人听取情况说明，提出整改要求。".into(),
            };
            sv::record_interview(app, &actor, &input).await?;
            interviews += 1;
        }
    }
    Ok((items, interviews))
}
