## The patient page's header and quick actions, the treatment form's scope, the treatments
## on an appointment's page (templates/patient.html, patient_edit.html, treatment_new.html,
## _treatment_item_fields.html, appointment.html). Every id here is also in
## ../mn/patient_page.ftl.

## The patient page
patient-alerts = Alerts
patient-owes = Owes
patient-next-appointment = Next appointment
patient-no-next-appointment = None booked
patient-actions = Actions for this patient
patient-send-sms = Send an SMS
patient-unpaid-all = All unpaid ({ $count })
patient-sections = Sections of the page
patient-details = Details
clinical-take-payment = Take payment

## The treatment form
scope-auto = By the teeth and the service
treatment-on-appointment = On the appointment

## The appointment's page
appointment-treatments = Treatments of this visit
appointment-no-treatments = No treatment is recorded on this appointment yet.
