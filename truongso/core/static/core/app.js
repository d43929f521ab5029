// Trường Số: progressive enhancement only; every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  box.textContent = document.documentElement.lang === "en"
    ? "The request failed (" + event.detail.xhr.status + "). Please try again."
    : "Yêu cầu không thành công (" + event.detail.xhr.status + "). Vui lòng thử lại.";
});
