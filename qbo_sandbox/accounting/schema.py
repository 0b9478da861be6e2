"""What the sandbox knows about each entity: URL name, name-list or transaction, known properties.

Known-property sets are the element names of Intuit's published XSD (Finance.xsd of the Accounting API, including
inherited ones); an unknown top-level property in a write is fault 2010, as QBO's JSON binder does.
"""
from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KNOWN_PROPERTIES = {
    "Customer": _words("""
        ARAccountRef AcctNum Active AltContactName AlternatePhone AttachableRef Balance
        BalanceWithJobs BillAddr BillWithParent BusinessNumber CCDetail ClientCompanyId
        ClientEntityId CompanyName ContactName CreditLimit CurrencyRef CustomField CustomerEx
        CustomerTypeRef DefaultTaxCodeRef DisplayName FamilyName Fax FullyQualifiedName GSTIN
        GSTRegistrationType GivenName Id IntuitId IsCISContractor IsProject Job JobInfo Level
        MetaData MiddleName Mobile Notes OpenBalanceDate Organization OtherAddr OtherContactInfo
        OverDueBalance ParentRef PaymentMethodRef PreferredDeliveryMethod PriceLevelRef
        PrimaryEmailAddr PrimaryPhone PrimaryTaxIdentifier PrintOnCheckName ResaleNum
        RootCustomerRef SalesRepRef SalesTermRef SecondaryTaxIdentifier ShipAddr Source Suffix
        SyncToken TDSEnabled TaxExemptionReasonId TaxGroupCodeRef TaxRateRef TaxRegime Taxable Title
        TotalExpense TotalRevenue UserId V4IDPseudonym WebAddr domain sparse status
    """),
    "Vendor": _words("""
        APAccountRef AcctNum Active AgencyVerificationStatus AgencyVerificationStatusMsg
        AgencyVerificationTSUTC AltContactName AlternatePhone AttachableRef Balance BillAddr
        BillRate BusinessNumber CISRate CompanyName CompanyRegistrationNumber ContactName CostRate
        CreditLimit CurrencyRef CustomField DefaultTaxCodeRef DisplayName FamilyName Fax
        FullyQualifiedName GSTIN GSTRegistrationType GivenName HasTPAR Id IntuitId IsSubContractor
        MetaData MiddleName Mobile Notes OpenBalanceDate Organization OtherAddr OtherContactInfo
        ParentRef PrefillAccountRef PrimaryEmailAddr PrimaryPhone PrintOnCheckName ShipAddr Source
        SubcontractorType Suffix SyncToken T4AEligible T5018Eligible TDSEnabled TDSEntityTypeId
        TDSOverrideThreshold TDSSectionTypeId TaxCountry TaxIdEffectiveDate TaxIdentifier
        TaxReportingBasis TermRef Title UserId V4IDPseudonym Vendor1099 VendorEx
        VendorPaymentBankDetail VendorTypeRef WebAddr domain sparse status
    """),
    "Employee": _words("""
        Active AlternatePhone AttachableRef BillRate BillableTime BirthDate CompanyName CostRate
        CustomField DefaultTaxCodeRef DisplayName EmployeeEx EmployeeNumber EmployeeType FamilyName
        Fax FullyQualifiedName Gender GivenName HiredDate Id IntuitId MetaData MiddleName Mobile
        Notes Organization OtherAddr OtherContactInfo PrimaryAddr PrimaryEmailAddr PrimaryPhone
        PrintOnCheckName ReleasedDate SSN Suffix SyncToken Title UseTimeEntry UserId V4IDPseudonym
        WebAddr domain sparse status
    """),
    "Invoice": _words("""
        ARAccountRef AllowIPNPayment AllowOnlineACHPayment AllowOnlineAffirmPayment
        AllowOnlineCreditCardPayment AllowOnlinePayPalPayment AllowOnlinePayment
        ApplyTaxAfterDiscount AttachableRef AutoDocNumber AutoPayEligible Balance BillAddr BillEmail
        BillEmailBcc BillEmailCc CfdiUse CheckPayment ClassRef ConvenienceFeeDetail
        CreditCardPayment CurrencyRef CustomField CustomerMemo CustomerRef DeliveryInfo
        DepartmentRef Deposit DepositToAccountRef DiscountAmt DiscountRate DocNumber DueDate
        ECloudStatusTimeStamp EInvoiceStatus EmailStatus EnabledSurchargeInfo ExchangeRate
        Exportation FOB FinanceCharge FinancingProductType FreeFormAddress GlobalInfo
        GlobalTaxCalculation GovtTxnRefIdentifier GratuityEnabled HomeBalance HomeTotalAmt
        HomeTotalCostAmount Id InvoiceEx InvoiceLink InvoiceLinkExpiryDate InvoiceLinkSecurityCode
        LessCIS Line LinkedTxn MetaData PONumber PaymentDetailsMessage PaymentMethodRef
        PaymentRefNum PaymentType PrintStatus PrivateNote ProjectRef RecurDataRef RecurringInfo
        RemitToRef SalesRepRef SalesTermRef SchedulePayEligible ScheduledPaymentId ShipAddr ShipDate
        ShipFromAddr ShipMethodRef ShippingTaxIncludedInTotalTax SubscriptionPaymentsSetting
        SyncToken Tag TaxExemptionRef TaxFormNum TaxFormType TemplateRef TotalAmt TotalCostAmount
        TrackingNum TransactionLocationType TxnApprovalInfo TxnDate TxnRetainageDetail TxnSource
        TxnStatus TxnSubType TxnTaxDetail callToAction domain invoiceStatus invoiceStatusLog sparse
        status
    """),
    "Item": _words("""
        AbatementRate Active AssetAccountRef AttachableRef AvgCost BuildPoint COGSAccountRef
        ClassRef CustomExtensions CustomField DeferredRevenue DepositToAccountRef Description
        ExpenseAccountRef FullyQualifiedName Id IncomeAccountRef InvStartDate ItemAssemblyDetail
        ItemCategoryType ItemEx ItemGroupDetail Level ManPartNum MetaData Name ParentRef
        PaymentMethodRef PercentBased PrefVendorRef PrintGroupedItems PurchaseCost PurchaseDesc
        PurchaseTaxCodeRef PurchaseTaxIncluded QtyOnHand QtyOnPurchaseOrder QtyOnSalesOrder
        RatePercent ReorderPoint ReverseChargeRate SalesTaxCodeRef SalesTaxIncluded ServiceType Sku
        Source SpecialItem SpecialItemType SubItem SyncToken TaxClassificationRef Taxable
        TrackQtyOnHand Type UOMSetRef UQCDisplayText UQCId UnitPrice domain sparse status
    """),
    "Account": _words("""
        AccountAlias AccountEx AccountPurposes AccountSubType AccountType AcctNum AcctNumExtn Active
        AttachableRef BankNum Classification CurrencyRef CurrentBalance
        CurrentBalanceWithSubAccounts CustomField Description FIName FullyQualifiedName Id
        JournalCodeRef MetaData Name OnlineBankingEnabled OpeningBalance OpeningBalanceDate
        ParentRef SubAccount SyncToken TaxAccount TaxCodeRef TxnLocationType domain sparse status
    """),
    "Class": _words("""
        Active AttachableRef ClassEx CustomField FullyQualifiedName Id MetaData Name ParentRef
        SubClass SyncToken domain sparse status
    """),
    "Department": _words("""
        Active Address AttachableRef CustomField DepartmentEx FullyQualifiedName Id MetaData Name
        ParentRef SubDepartment SyncToken domain sparse status
    """),
    "Term": _words("""
        Active AttachableRef CustomField DayOfMonthDue DiscountDayOfMonth DiscountDays
        DiscountPercent DueDays DueNextMonthDays Id MetaData Name SalesTermEx SyncToken Type domain
        sparse status
    """),
    "Payment": _words("""
        ARAccountRef AttachableRef CheckPayment CreditCardPayment CurrencyRef CustomField
        CustomerRef DepartmentRef DepositToAccountRef DocNumber ExchangeRate HomeTotalCostAmount Id
        Line LinkedTxn MetaData PaymentEx PaymentExtendedType PaymentMethodRef PaymentRefNum
        PaymentType PrivateNote ProcessPayment ProjectRef RecurDataRef RecurringInfo RemitToRef
        SyncToken Tag TaxFormNum TaxFormType TotalAmt TotalCostAmount TransactionLocationType
        TxnApprovalInfo TxnDate TxnSource TxnStatus TxnSubType TxnTaxDetail UnappliedAmt domain
        sparse status
    """),
    "TimeActivity": _words("""
        AttachableRef BillableStatus BreakHours BreakMinutes BreakSeconds ClassRef CostRate
        CustomField CustomerRef DepartmentRef Description EmployeeRef EndTime Hours
        HoursInEmployeeTimeZone HourlyRate Id ItemRef MetaData Minutes NameOf OtherNameRef
        PayrollItemRef ProjectRef Seconds StartTime SyncToken Taxable TimeActivityEx TimeChargeId
        TimeZone TxnDate VendorRef domain sparse status
    """),
    "TaxCode": _words("""
        Active Description Hidden Id MetaData Name PurchaseTaxRateList SalesTaxRateList SyncToken
        TaxCodeConfigType TaxGroup Taxable domain sparse
    """),
    "TaxRate": _words("""
        Active AgencyRef Description DisplayType EffectiveTaxRate Id MetaData Name RateValue
        SpecialTaxType SyncToken TaxReturnLineRef domain sparse
    """),
}

# Properties whose values are numbers (queries compare them numerically).
NUMERIC = _words("""
    Id SyncToken TotalAmt Balance BalanceWithJobs UnitPrice Amount Qty Level CurrentBalance
    CurrentBalanceWithSubAccounts UnappliedAmt DueDays DiscountPercent QtyOnHand PurchaseCost
    DayOfMonthDue DueNextMonthDays DiscountDays DiscountDayOfMonth HomeBalance HomeTotalAmt
    Deposit ExchangeRate CreditLimit OpenBalance BillRate CostRate RateValue TotalTax
    Hours Minutes HourlyRate
""")
TIMESTAMPS = _words("MetaData.CreateTime MetaData.LastUpdatedTime")


@dataclass(frozen=True)
class EntitySpec:
    name: str           # JSON name, e.g. "Customer"
    name_list: bool     # name lists default to Active = true in queries and can't be deleted
    name_field: str | None  # DisplayName / Name (unique)
    deletable: bool = False
    voidable: bool = False
    writable: bool = True  # TaxCode/TaxRate: read-only through the API
    read_only: frozenset[str] = frozenset()

    @property
    def path(self) -> str:
        return self.name.lower()

    @property
    def known(self) -> frozenset[str]:
        return KNOWN_PROPERTIES[self.name]


_COMMON_RO = _words("Id SyncToken MetaData domain sparse status")

SPECS: dict[str, EntitySpec] = {
    s.name: s
    for s in [
        EntitySpec("Customer", True, "DisplayName",
                   read_only=_COMMON_RO | _words("Balance BalanceWithJobs FullyQualifiedName Level")),
        EntitySpec("Vendor", True, "DisplayName", read_only=_COMMON_RO | _words("Balance")),
        EntitySpec("Employee", True, "DisplayName", read_only=_COMMON_RO),
        EntitySpec("Item", True, "Name", read_only=_COMMON_RO | _words("FullyQualifiedName Level")),
        EntitySpec("Account", True, "Name",
                   read_only=_COMMON_RO | _words("FullyQualifiedName Classification CurrentBalance "
                                                 "CurrentBalanceWithSubAccounts")),
        EntitySpec("Class", True, "Name", read_only=_COMMON_RO | _words("FullyQualifiedName")),
        EntitySpec("Department", True, "Name", read_only=_COMMON_RO | _words("FullyQualifiedName")),
        EntitySpec("Term", True, "Name", read_only=_COMMON_RO),
        EntitySpec("Invoice", False, None, deletable=True, voidable=True,
                   read_only=_COMMON_RO | _words("TotalAmt Balance HomeBalance HomeTotalAmt")),
        EntitySpec("Payment", False, None, deletable=True, voidable=True,
                   read_only=_COMMON_RO | _words("UnappliedAmt")),
        EntitySpec("TimeActivity", False, None, deletable=True, read_only=_COMMON_RO),
        EntitySpec("TaxCode", True, "Name", writable=False, read_only=_COMMON_RO),
        EntitySpec("TaxRate", True, "Name", writable=False, read_only=_COMMON_RO),
    ]
}

BY_PATH = {spec.path: spec for spec in SPECS.values()}

# Customer, Vendor and Employee share one DisplayName space (fault 6240).
PEOPLE = ("Customer", "Vendor", "Employee")

# Entities a query may name that are not plain documents in the store.
SINGLETONS = ("CompanyInfo", "Preferences")

TXN_TYPE_LABEL = {"Invoice": "Invoice", "Payment": "Payment"}
