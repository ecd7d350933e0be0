## The menu
menu = Menu
