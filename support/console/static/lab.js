// The lab panel (console) and lab board (dashboard); loaded only when the deployment has the lab.
export class LabPanel {
  showTicket() {}
  refresh() {}
  handlers() { return {}; }
}

export class LabBoard {
  refresh() {}
  handlers() { return {}; }
}
