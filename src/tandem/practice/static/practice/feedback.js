// After an answer, the result is what a student reads first. htmx gives the "Next item" link
// focus (autofocus, so keyboard users can go straight on), and on a phone that can scroll the
// result's heading above the top of the screen: bring the heading back into view, keeping the
// focus where it is. Runs after htmx's settle step, which is where it moves the focus.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var heading = document.getElementById("feedback-heading");
    if (!heading) {
      return;
    }
    var top = heading.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight) {
      heading.scrollIntoView({ block: "start" });
    }
  });
})();
