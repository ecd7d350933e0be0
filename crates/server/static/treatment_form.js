// The scope of a treatment item follows the teeth clicked and the service chosen
// (templates/_treatment_item_fields.html). Without this script the scope may be left blank
// and the server proposes the same one (dcms_domain::TreatmentScope::following): no teeth,
// the service's usual scope (its option's data-scope), else none; teeth that all lie in a
// usual arch or mouth scope, that scope; else one tooth is single_tooth, more multi_tooth.
// The arch buttons of the odontogram choose their arch or the whole mouth. A scope chosen
// by hand stays until the next tooth, service or arch button.
"use strict";
(function () {
  if (window.dcmsTreatmentForm) return;
  window.dcmsTreatmentForm = true;

  var ARCH_BUTTONS = { upper: "upper_arch", lower: "lower_arch", all: "full_mouth" };

  function covers(scope, arches) {
    if (scope === "full_mouth") return true;
    if (scope === "upper_arch" || scope === "lower_arch") {
      var arch = scope === "upper_arch" ? "upper" : "lower";
      return arches.every(function (a) { return a === arch; });
    }
    return false;
  }

  function following(usual, arches) {
    if (arches.length === 0) return usual || "none";
    if (usual && covers(usual, arches)) return usual;
    return arches.length === 1 ? "single_tooth" : "multi_tooth";
  }

  function setUp(form) {
    var service = form.querySelector("select[name=service_id]");
    var scope = form.querySelector("select[name=scope]");
    if (!service || !scope) return;
    // The arch of each tooth, by the value its checkbox posts.
    var archOf = {};
    form.querySelectorAll(".odontogram svg .tooth[data-ui-key]").forEach(function (tooth) {
      archOf[tooth.dataset.uiKey] = tooth.dataset.arch;
    });

    function usual() {
      var option = service.options[service.selectedIndex];
      return (option && option.dataset.scope) || null;
    }

    function arches() {
      var chosen = [];
      form.querySelectorAll("input[name=teeth]:checked").forEach(function (box) {
        chosen.push(archOf[box.value] || "");
      });
      return chosen;
    }

    function propose(value) {
      if (scope.value === value) return;
      scope.value = value;
    }

    function follow() {
      propose(following(usual(), arches()));
    }

    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "teeth" || name === "service_id") follow();
    });
    // After the odontogram's own handler has ticked the boxes (it listens on the button).
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[data-select]");
      if (!button || !form.contains(button)) return;
      var arch = ARCH_BUTTONS[button.dataset.select];
      if (arch) propose(arch);
      else follow();
    });
    // A new form, or one opened from an appointment with its service: propose at once. A
    // form shown again keeps the scope it was sent with.
    if (scope.value === "" && (service.value !== "" || arches().length > 0)) follow();
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector(".odontogram[data-mode=form]")) setUp(form);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
