# DCMS web pages, English. Every id here must also be in ../mn/main.ftl (a test checks).

## Layout
skip-to-content = Skip to content
nav-label = Main menu
nav-home = Home
nav-users = Users
nav-settings = Settings
nav-account = My account
signed-in-as = Signed in as { $name }
logout = Log out
language-label = Language
language-mn = Монгол
language-en = English
back-home = Back to the start page
actions = Actions
save = Save
next-page = Next page

## Login
login-title = Log in
login-submit = Log in
login-failed = The username or password is wrong, or the account is disabled.
login-too-many = Too many failed attempts. Try again in { $minutes } min.
field-username = Username
field-password = Password

## Start page
home-welcome = Welcome, { $name }
home-today = Today is { $date }
home-role = Your role: { $role }
home-patient-intro = Here you will find your appointments, treatments and invoices.

## Sessions and password
account-title = My account
sessions-title = Sessions
sessions-hint = Each place you are logged in. End any you do not recognise.
sessions-caption = Active sessions
session-device = Device
session-type = Kind
session-created = Started
session-last-seen = Last used
session-expires = Expires
session-this = this session
session-end = End
session-end-this = Log out here
session-type-user_portal = Staff portal
session-type-patient_web = Patient portal
session-type-hq = Head office (read only)
password-title = Change password
password-hint = At least 10 characters. Your other sessions end when you change it.
field-current-password = Current password
field-new-password = New password
field-confirm-password = New password again
password-submit = Change password

## Users
users-title = Users
users-new = New user
users-create = Create user
field-display-name = Display name
field-role = Role
user-status = Status
user-created = Created
user-active = Active
user-disabled = Disabled
user-disable-label = Disabled (cannot log in; their sessions end)
user-password-title = Set a new password
user-password-hint = The user's sessions end; tell them the new password in person.
user-password-submit = Set password
role-patient = Patient
role-admin = Administrator
role-manager = Manager
role-doctor = Doctor
role-receptionist = Receptionist

## Settings
settings-title = Clinic settings
settings-readonly = Only an administrator or a manager can change these.
field-clinic-name = Clinic name
field-clinic-code = Clinic code
field-time-zone = Time zone
field-tooth-notation = Tooth notation
field-language = Default language
opening-hours-title = Opening hours
opening-hours-hint = Local time, for example 09:00-13:00, 14:00-19:00. Leave a day empty when the clinic is closed.
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
notation-fdi = FDI (11–48)
notation-universal = Universal (1–32)
notation-palmer = Palmer
closed = Closed

## One-time messages
flash-session-expired = Your session has ended. Please log in again.
flash-form-expired = The form had expired. Please try again.
flash-logged-out = You have logged out.
flash-password-changed = Your password has been changed. Your other sessions have ended.
flash-session-revoked = The session has ended.
flash-user-created = The user has been created.
flash-saved = Saved.
flash-password-set = The new password is set and the user's sessions have ended.

## Errors
error-forbidden = You do not have access to this page.
error-not-found = This page or record does not exist.
error-conflict = This cannot be done in the current state.
error-invalid = Some values are not valid.
error-too-many = Too many attempts. Please wait and try again.
error-busy = The server is busy. Please try again shortly.
error-internal = Something went wrong on the server. It has been logged; please try again.
error-csrf = The form had expired or did not come from this site. Go back, reload the page and try again.
error-method = This address does not accept that request.
error-too-large = What was sent is too large.
error-timeout = The request took too long. Please try again.
error-last-admin = This is the last active administrator: make another user administrator first.
error-too-short = Must be at least { $min } characters.
error-too-long = Must be at most { $max } characters.
error-length = Must be { $min } to { $max } characters.
error-control-characters = Must not contain control characters.
error-wrong-current-password = This is not your current password.
error-password-mismatch = The two new passwords differ.
error-choose = Choose one of the options.
error-username-taken = This username is already taken.
error-required = Required.
error-time-zone = Not a known time zone (for example Asia/Ulaanbaatar).
error-clinic-code = Letters, digits, - and _ only, at most 32.
error-opening-hours = Write intervals like 09:00-13:00, 14:00-19:00; each must end after it starts and they must not overlap.

## Patients
gender-male = Male
gender-female = Female
gender-other = Other
rn-decoded = Born { $birthday }, { $sex }
rn-length = A register number has 10 characters (two letters and eight digits, e.g. УБ85031512); this has { $chars }.
rn-shape = A register number is two Mongolian Cyrillic letters and eight digits, e.g. УБ85031512.
rn-letter = “{ $letter }” is not a Mongolian Cyrillic letter; a register number starts with two, e.g. УБ.
rn-month = The birth month digits “{ $month }” are invalid: 01–12 for those born before 2000, 21–32 from 2000.
rn-no-such-date = The birth date { $date } does not exist.
rn-future = The birth date { $date } is in the future.
