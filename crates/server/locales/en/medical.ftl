## Medical history, alerts, the questionnaire, files and consents (templates/medical.html,
## questionnaire.html, files.html, consent.html; src/http/pages/medical.rs, files.rs,
## consent.rs). Every id here must also be in ../mn/medical.ftl.

## Alerts
alert-allergy = Allergy
alert-acknowledge = I have seen the patient's severe allergy and take it into account
condition-diabetes = Diabetes
condition-hypertension = High blood pressure
condition-heart-disease = Heart disease
condition-bleeding-disorder = Bleeding disorder
condition-anticoagulants = Takes anticoagulants
condition-pregnancy = Pregnant
condition-asthma = Asthma
condition-epilepsy = Epilepsy
condition-hepatitis = Hepatitis
condition-hiv = HIV
condition-kidney-disease = Kidney disease
condition-other = Other
severity-mild = Mild
severity-moderate = Moderate
severity-severe = Severe

## Medical history
medical-title = Medical history
medical-empty = No medical history recorded yet.
medical-allergies = Allergies
medical-conditions = Conditions
medical-medications = Medications
medical-none = None
medical-reviewed = Last gone through with the patient
medical-version = Version
medical-review = Review the questionnaire and save
medical-change = Change the history
medical-questionnaire-sent = The patient filled in the questionnaire:
medical-substance = Substance
medical-reaction = Reaction
medical-severity = Severity
medical-detail = Details
medical-reviewed-now = Gone through with the patient now
medical-versions = Earlier versions
medical-conflict = Someone changed the history meanwhile. Here is the latest version: change it again.

## The tablet questionnaire
questionnaire-open = Questionnaire on the tablet
questionnaire-title = Medical questionnaire
questionnaire-intro = We need these answers to treat you safely. Answer each question Yes or No.
questionnaire-conditions = Do you have any of these?
questionnaire-other = Another condition
questionnaire-allergies = Are you allergic to any medicine or substance?
questionnaire-medications = Which medicines do you take now?
questionnaire-signature = Signature
questionnaire-clear = Clear the signature
questionnaire-send = Send
questionnaire-thanks = Thank you! Your answers are received. Please hand the tablet back to the staff.
questionnaire-back = Back to the patient's page
yes = Yes
no = No
close = Close

## Files
files-title = X-rays and files
files-kind = Kind
files-all = All
files-from = From
files-to = To
files-show = Show
files-upload = Upload files
files-drop = Drop files here
files-limit = JPEG, PNG, WebP, PDF, DICOM; up to { $mib } MiB.
files-choose = Choose files
files-taken = Taken on
files-pictures = X-rays and photos
files-no-pictures = No pictures.
files-documents = Documents
files-no-documents = No documents.
files-name = Name
files-size = Size
files-delete = Delete
files-delete-confirm = Hide this file from the patient's record?
files-viewer = Picture viewer
files-zoom-in = Zoom in
files-zoom-out = Zoom out
files-reset = Reset
files-brightness = Brightness
files-contrast = Contrast
files-invert = Invert
files-hidden = Hidden files
files-no-hidden = No hidden files.
files-show-hidden = Show hidden files (admin)
files-purge-hint = A deleted file is hidden, its content kept. Purging removes the content for good.
files-purge = Purge
files-purge-confirm = Remove this file's content for good? This cannot be undone.
attachment-kind-xray = X-ray
attachment-kind-photo = Photo
attachment-kind-document = Document
attachment-kind-consent = Consent
chart-images-hint = Click a tooth with pictures to see them here.
files-tooth = Tooth
chart-images = Pictures by tooth

## Consents
consent-title = Consent to treatment
consent-back = Back to the treatment
consent-upload = Upload the signed consent
consent-print = Print consent
consent-signed = Signed consents
field-consent-text = Consent text
service-consent-hint = Printed from the treatment's page for the patient to sign. Empty: no consent is asked.
field-attachment-limit = Largest file (MiB)

## Errors
error-file-too-large = The file is too large. Upload a file under the limit set in the settings.
error-file-type = DCMS does not keep this kind of file. Upload a JPEG, PNG or WebP picture, a PDF or a DICOM file.
error-attachment-clinical = The front desk sees and adds documents and consents only. X-rays and photos are for clinical staff.
error-alert-not-acknowledged = First confirm that you have seen the patient's severe allergy.
error-repeated = Listed twice.
error-in-future = Must not be in the future.
error-utf8 = The text is not valid UTF-8.
error-signature-invalid = Sign in the box.
error-treatment-unknown = The patient has no such treatment.
