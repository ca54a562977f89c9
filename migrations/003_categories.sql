-- 003_categories: the default two-level category tree (editable through
-- /api/v1/categories). 16 livelihood problem classes from the article's
-- "16类民生共性问题" plus the enterprise-service classes (企业诉求).
-- Time limits: response_hours are working hours to accept, resolve_days
-- working days to resolve; children inherit their parent's limits.

INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('WY','物业管理','livelihood','normal',8,10,10);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'WY01','物业服务','livelihood','normal',8,10,1 FROM categories WHERE code='WY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'WY02','公共设施维修','livelihood','normal',8,10,2 FROM categories WHERE code='WY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'WY03','物业收费','livelihood','normal',8,10,3 FROM categories WHERE code='WY';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('DT','电梯','livelihood','urgent',4,5,20);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'DT01','电梯故障','livelihood','urgent',4,5,1 FROM categories WHERE code='DT';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'DT02','加装电梯','livelihood','urgent',4,5,2 FROM categories WHERE code='DT';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('TC','停车管理','livelihood','normal',8,10,30);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'TC01','停车难','livelihood','normal',8,10,1 FROM categories WHERE code='TC';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'TC02','违章停车','livelihood','normal',8,10,2 FROM categories WHERE code='TC';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('CD','电动车充电','livelihood','normal',8,10,40);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'CD01','充电设施','livelihood','normal',8,10,1 FROM categories WHERE code='CD';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'CD02','电动车棚','livelihood','normal',8,10,2 FROM categories WHERE code='CD';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('ZY','噪音扰民','livelihood','normal',4,3,50);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'ZY01','施工噪音','livelihood','normal',4,3,1 FROM categories WHERE code='ZY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'ZY02','商业噪音','livelihood','normal',4,3,2 FROM categories WHERE code='ZY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'ZY03','邻里噪音','livelihood','normal',4,3,3 FROM categories WHERE code='ZY';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('HJ','环境卫生','livelihood','normal',8,5,60);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'HJ01','垃圾清运','livelihood','normal',8,5,1 FROM categories WHERE code='HJ';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'HJ02','垃圾分类','livelihood','normal',8,5,2 FROM categories WHERE code='HJ';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'HJ03','卫生死角','livelihood','normal',8,5,3 FROM categories WHERE code='HJ';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('GS','供水排水','livelihood','urgent',4,3,70);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'GS01','停水','livelihood','urgent',4,3,1 FROM categories WHERE code='GS';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'GS02','管道漏水','livelihood','urgent',4,3,2 FROM categories WHERE code='GS';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'GS03','下水道堵塞','livelihood','urgent',4,3,3 FROM categories WHERE code='GS';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('DL','道路照明','livelihood','normal',8,10,80);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'DL01','道路破损','livelihood','normal',8,10,1 FROM categories WHERE code='DL';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'DL02','路灯故障','livelihood','normal',8,10,2 FROM categories WHERE code='DL';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('LH','园林绿化','livelihood','normal',8,10,90);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'LH01','树木修剪','livelihood','normal',8,10,1 FROM categories WHERE code='LH';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'LH02','绿地破坏','livelihood','normal',8,10,2 FROM categories WHERE code='LH';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('ZA','治安消防','livelihood','urgent',2,3,100);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'ZA01','治安隐患','livelihood','urgent',2,3,1 FROM categories WHERE code='ZA';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'ZA02','消防通道占用','livelihood','urgent',2,3,2 FROM categories WHERE code='ZA';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('JZ','社会救助','livelihood','normal',8,10,110);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JZ01','低保救助','livelihood','normal',8,10,1 FROM categories WHERE code='JZ';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JZ02','困难帮扶','livelihood','normal',8,10,2 FROM categories WHERE code='JZ';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('YL','养老服务','livelihood','normal',8,10,120);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'YL01','居家养老','livelihood','normal',8,10,1 FROM categories WHERE code='YL';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'YL02','老年食堂','livelihood','normal',8,10,2 FROM categories WHERE code='YL';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('JY','教育服务','livelihood','normal',8,10,130);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JY01','入学咨询','livelihood','normal',8,10,1 FROM categories WHERE code='JY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JY02','课后托管','livelihood','normal',8,10,2 FROM categories WHERE code='JY';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('YW','医疗卫生','livelihood','normal',8,5,140);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'YW01','社区医疗','livelihood','normal',8,5,1 FROM categories WHERE code='YW';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'YW02','疫苗接种','livelihood','normal',8,5,2 FROM categories WHERE code='YW';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('JC','就业创业','livelihood','normal',8,10,150);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JC01','就业服务','livelihood','normal',8,10,1 FROM categories WHERE code='JC';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'JC02','技能培训','livelihood','normal',8,10,2 FROM categories WHERE code='JC';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('GZ','老旧小区改造','livelihood','normal',8,15,160);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'GZ01','改造进度','livelihood','normal',8,15,1 FROM categories WHERE code='GZ';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'GZ02','设施完善','livelihood','normal',8,15,2 FROM categories WHERE code='GZ';
INSERT INTO categories(code,name,kind,urgency,response_hours,resolve_days,sort) VALUES ('QY','企业服务','enterprise','normal',8,5,170);
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY01','政策咨询','enterprise','normal',8,5,1 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY02','审批服务','enterprise','normal',8,5,2 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY03','融资服务','enterprise','normal',8,5,3 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY04','用工招聘','enterprise','normal',8,5,4 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY05','水电气保障','enterprise','normal',8,5,5 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY06','纠纷调解','enterprise','normal',8,5,6 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY07','知识产权','enterprise','normal',8,5,7 FROM categories WHERE code='QY';
INSERT INTO categories(parent_id,code,name,kind,urgency,response_hours,resolve_days,sort) SELECT id,'QY08','场地租赁','enterprise','normal',8,5,8 FROM categories WHERE code='QY';

-- urgent and critical appeals get tighter limits unless a category says otherwise
INSERT INTO sla_policies(category_id, urgency, response_hours, resolve_days) VALUES (NULL,'urgent',2,2), (NULL,'critical',1,1);
