// Element Plus components registered globally. Only what the views use is
// listed, so the bundle stays smaller than a full `app.use(ElementPlus)`.
import {
  ElAlert, ElAside, ElBadge, ElButton, ElCalendar, ElCard, ElCascader, ElCheckbox,
  ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDialog,
  ElDivider, ElDrawer, ElDropdown, ElEmpty, ElForm, ElHeader, ElIcon, ElImage,
  ElInput, ElInputNumber, ElLink, ElLoading, ElMain, ElMenu, ElOption, ElPopover,
  ElRadio, ElRate, ElResult, ElRow, ElSelect, ElSkeleton, ElSpace, ElSwitch, ElTable,
  ElTabs, ElTag, ElText, ElTimePicker, ElTimeline, ElTooltip, ElTree, ElTreeSelect,
  ElUpload, ElCheckboxGroup, ElRadioGroup, ElRadioButton, ElFormItem, ElTableColumn,
  ElTabPane, ElTimelineItem, ElMenuItem, ElSubMenu, ElDropdownMenu, ElDropdownItem,
  ElDescriptionsItem, ElOptionGroup
} from 'element-plus'
import 'element-plus/dist/index.css'

const components = [
  ElAlert, ElAside, ElBadge, ElButton, ElCalendar, ElCard, ElCascader, ElCheckbox,
  ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDialog,
  ElDivider, ElDrawer, ElDropdown, ElEmpty, ElForm, ElHeader, ElIcon, ElImage,
  ElInput, ElInputNumber, ElLink, ElMain, ElMenu, ElOption, ElPopover,
  ElRadio, ElRate, ElResult, ElRow, ElSelect, ElSkeleton, ElSpace, ElSwitch, ElTable,
  ElTabs, ElTag, ElText, ElTimePicker, ElTimeline, ElTooltip, ElTree, ElTreeSelect,
  ElUpload, ElCheckboxGroup, ElRadioGroup, ElRadioButton, ElFormItem, ElTableColumn,
  ElTabPane, ElTimelineItem, ElMenuItem, ElSubMenu, ElDropdownMenu, ElDropdownItem,
  ElDescriptionsItem, ElOptionGroup
]

export function installElements(app) {
  for (const c of components) app.use(c)
  app.use(ElLoading)
}
