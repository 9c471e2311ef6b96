document.title = "Clinic Console";
