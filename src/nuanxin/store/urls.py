from django.urls import path

from nuanxin.store.views import staff, worker

app_name = "store"
URL_PREFIX = "store"

urlpatterns = [
    path("", worker.shop, name="shop"),
    path("s/<int:station_id>/i/<int:item_id>/", worker.item, name="item"),
    path("order/", worker.order, name="order_create"),
    path("orders/", worker.orders, name="orders"),
    path("orders/<uuid:public_id>/", worker.order_detail, name="order"),
    path("orders/<uuid:public_id>/cancel/", worker.order_cancel, name="order_cancel"),
    path("verify/", staff.verify, name="verify"),
    path("verify/confirm/", staff.confirm, name="confirm"),
    path("verify/cancel/", staff.cancel, name="staff_cancel"),
    path("stock/", staff.stock, name="stock"),
    path("stock/<str:action>/", staff.stock_change, name="stock_change"),
    path("report/", staff.report, name="report"),
    path("report.xlsx", staff.report_export, name="report_export"),
]
