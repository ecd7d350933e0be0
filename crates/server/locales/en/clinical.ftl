## The patient's dental chart, the patient page's treatments and invoices, and the patient
## portal (templates/chart.html, patient.html, home.html; src/http/pages/chart.rs,
## clinical.rs, patients.rs, home.rs). Every id here must also be in ../mn/clinical.ftl.

## The dental chart page
chart-hint = Teeth are coloured by their treatments. Click a tooth to see what was done to it.
chart-history = Treatments by tooth
chart-empty = No treatments yet: nothing has been recorded for this patient.
chart-hidden-teeth = Treated teeth not drawn in this chart: { $teeth }.
chart-show-both = Show permanent and primary teeth
chart-tooth = Tooth { $code }
chart-service = Service
chart-tooth-note = On this tooth
chart-open-treatment = Open the treatment
error-chart-system = Unknown tooth notation: choose FDI, Universal or Palmer.
error-chart-dentition = Unknown set of teeth: choose permanent, primary or both.

## The patient page's treatments and invoices
clinical-record-treatment = Record a treatment
clinical-no-treatments = No treatments yet.
clinical-latest = The latest { $count } are shown.
clinical-services = Services
clinical-total = Total
clinical-paid = Paid
clinical-balance = Balance
clinical-open-chart = Open the dental chart
clinical-chart-hint = Every tooth coloured by its treatments, with each tooth's history.
clinical-no-invoices = No invoices yet.
clinical-open-invoice = Invoice

## The patient portal (the start page of a patient)
portal-appointments = Your coming appointments
portal-no-appointments = You have no appointments booked.
portal-service = Service
portal-treatments = Your treatments
portal-no-treatments = No treatments recorded yet.
portal-teeth = Teeth
portal-charge = Charge
portal-invoices = Your invoices
portal-balance-due = Left to pay: { $amount }.
portal-settled = Nothing left to pay. Thank you!
portal-no-record = Your account is not linked to your patient record yet. Please ask the clinic's reception to link it; then your appointments, treatments and invoices will show here.

# The dentist's chart: surfaces, findings, plans (issue 20)
chart-planned = Planned
chart-finding = Finding
chart-legend-pathology = To treat (caries, fracture…)
chart-legend-work = Done elsewhere (filling, crown…)
chart-legend-planned = Planned
chart-legend-done = Done here
chart-legend-missing = Missing
chart-form-title = Chart
chart-form-hint = Choose a finding or a service, click the teeth and their surfaces, then save.
chart-what = What
chart-what-finding = A finding
chart-what-plan = Plan a service
chart-chosen = Chosen
chart-teeth = Teeth (codes, e.g. 36, 37)
chart-surfaces = Surfaces
chart-save = Save
chart-open-findings = Open findings
chart-no-findings = No open findings.
chart-tooth-col = Tooth
chart-plan-service = Service for this finding
chart-plan-it = Plan
chart-close-finding = Close
chart-plans = Treatment plans
chart-no-plans = No treatment plans yet.
plan-untitled = Treatment plan
plan-progress = { $done } of { $count } done
plan-remaining = { $amount } still to do
plan-total = Total
plan-status-draft = Draft
plan-status-presented = Presented
plan-status-accepted = Accepted
plan-status-rejected = Rejected
plan-status-completed = Completed
plan-status-canceled = Canceled
surface-mesial = Mesial
surface-occlusal = Occlusal
surface-incisal = Incisal
surface-distal = Distal
surface-buccal = Buccal
surface-labial = Labial
surface-lingual = Lingual
finding-caries = Caries
finding-fracture = Fracture
finding-periapical-lesion = Periapical lesion
finding-mobility = Mobility
finding-impacted = Impacted
finding-missing = Missing
finding-filling = Filling
finding-crown = Crown
finding-root-canal = Root canal
finding-implant = Implant
finding-bridge = Bridge
finding-veneer = Veneer
finding-sealant = Sealant
error-chart-refused = The chart was not changed.
error-chart-no-teeth = Choose at least one tooth: click it on the chart, or type its code.
error-surface-unknown = Unknown surface.
error-surface-not-on-tooth = This tooth has no such surface.
error-surface-repeated = A surface is given twice.
error-surface-not-for-kind = This finding is not recorded on surfaces.
error-surfaces-single-tooth = Surfaces are given for one tooth only.
error-finding-unknown = The patient has no such finding.
error-finding-resolved = The finding is resolved already.
error-finding-other-tooth = The finding is on another tooth.
error-finding-resolved-by-item = A treatment resolved this finding.
error-plan-item-unknown = The patient has no such plan item.
error-plan-not-accepted = Treatment is recorded from an accepted plan: accept the plan first.
error-plan-item-not-planned = This plan item is done or dropped already.
error-plan-move = The plan cannot move to this status.
error-plan-empty = A plan without items is not presented.
error-plan-items-open = A plan is completed when every item is done or dropped.
error-plan-item-move = This item cannot move to this status.
error-discount-range = The discount is at most the plan's subtotal.
