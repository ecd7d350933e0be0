# DCMS HQ: connecting a clinic.

error-clinic-unreachable = The clinic's DCMS cannot be reached: check its address.
error-clinic-login-refused = The clinic refused this username and password.
error-clinic-login-not-hq = This account may not open a head-office session: use a manager's or an admin's login.
