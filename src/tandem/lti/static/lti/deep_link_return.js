// Deep linking: post the signed response back to the LMS as soon as the page loads.
document.getElementById("deep-link-return").submit();
