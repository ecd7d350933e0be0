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
